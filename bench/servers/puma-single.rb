# Puma in threaded single mode: one process, 16 threads (make bench-servers).
# The port is chosen by the kernel; scripts/bench/servers reads it from the log.
environment "production"
bind "tcp://127.0.0.1:0"
workers 0
threads 16, 16
# No reactor: nio4r's C extension cannot be built here (its source package
# answers 404 in Debian's pool), and with its pure-Ruby selector Puma's
# reactor thread spins a full CPU after a burst, so an idle server never
# looks idle. Each thread reads its own request instead.
queue_requests false
