# Puma in cluster mode: 2 workers forked from a master that loaded the app
# first (preload_app!), 8 threads each (make bench-servers).
environment "production"
bind "tcp://127.0.0.1:0"
workers 2
threads 8, 8
preload_app!
# No reactor: nio4r's C extension cannot be built here (its source package
# answers 404 in Debian's pool), and with its pure-Ruby selector Puma's
# reactor thread spins a full CPU after a burst, so an idle server never
# looks idle. Each thread reads its own request instead.
queue_requests false
