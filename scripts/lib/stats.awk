# Statistics helpers for the benchmark reports (awk -f scripts/lib/stats.awk -f ...).

# sort_values A N: sorts A[1..N] ascending, in place.
function sort_values(a, n,   i, j, t) {
  for (i = 2; i <= n; i++)
    for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
}

# summarize A N: sets MED, MIN and MAX of A[1..N] (sorts A).
function summarize(a, n) {
  sort_values(a, n)
  MIN = a[1]; MAX = a[n]
  MED = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
