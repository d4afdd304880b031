# Puma in cluster mode: 2 workers forked from a master that loaded the app
# first (preload_app!), 8 threads each (make bench-servers).
environment "production"
bind "tcp://127.0.0.1:0"
workers 2
threads 8, 8
preload_app!
