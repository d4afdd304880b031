# Puma in threaded single mode: one process, 16 threads (make bench-servers).
# The port is chosen by the kernel; scripts/bench-servers reads it from the log.
environment "production"
bind "tcp://127.0.0.1:0"
workers 0
threads 16, 16
