# Shared by native.sh and vm.sh: the awk functions their tables use,
# put in front of each report's own awk program. A list is a string of
# numbers separated by spaces.
STATS_AWK='
function median(list,    a, k, i, j, t) {
	k = split(list, a, " ")
	for (i = 2; i <= k; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
function max(list,    a, k, i, m) {
	k = split(list, a, " "); m = a[1]
	for (i = 2; i <= k; i++) if (a[i] + 0 > m + 0) m = a[i]
	return m
}
function min(list,    a, k, i, m) {
	k = split(list, a, " "); m = a[1]
	for (i = 2; i <= k; i++) if (a[i] + 0 < m + 0) m = a[i]
	return m
}
'
