#!/usr/bin/env python3
# BENCHMARKS.md 3.8.3: summarizes bench/results/<prefix><key>-<store>-<build>-<run>.jsonl
# (bench/load JSON reports of saml-login, acs-garbage and acs-untrusted-signature):
# per run the saml-login figures and the refusal ratios (server CPU per refusal
# divided by server CPU per login of the same run), then medians.
#   python3 bench/results/login3-summarize.py bench/results/login3-run2-
import json, glob, os, statistics, sys
prefix = sys.argv[1]
rows = {}
for f in sorted(glob.glob(prefix + '*.jsonl')):
    tag, backend, build, rnd = f[len(prefix):-6].split('-')
    recs = {}
    for line in open(f):
        line = line.strip()
        if line:
            r = json.loads(line); recs[r['scenario']] = r
    if not all(k in recs for k in ('saml-login','acs-garbage','acs-untrusted-signature')): continue
    rows.setdefault((tag, backend, build), []).append((int(rnd), recs))
print('| IdP key | store | build | run | logins/s | p50 ms | p99 ms | CPU/login ms | cores | untrusted ms | ÷ login | garbage ms | ÷ login | errors |')
print('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
med = {}
for key in sorted(rows):
    for rnd, recs in sorted(rows[key]):
        l, u, g = recs['saml-login'], recs.get('acs-untrusted-signature'), recs.get('acs-garbage')
        ur = u['server_cpu_ms_per_request'] / l['server_cpu_ms_per_request'] * 100
        gr = g['server_cpu_ms_per_request'] / l['server_cpu_ms_per_request'] * 100
        errs = l['errors'] + u['errors'] + g['errors']
        print(f"| {key[0]} | {key[1]} | {key[2]} | {rnd} | {l['requests_per_second']:.0f} | {l['p50_ms']:.0f} | {l['p99_ms']:.0f} | {l['server_cpu_ms_per_request']:.2f} | {l['server_cores']:.2f} | {u['server_cpu_ms_per_request']:.3f} | {ur:.1f} % | {g['server_cpu_ms_per_request']:.3f} | {gr:.1f} % | {errs} |")
        m = med.setdefault(key, {'lps': [], 'p50': [], 'p99': [], 'cpu': [], 'ucpu': [], 'ur': [], 'gr': []})
        m['lps'].append(l['requests_per_second']); m['p50'].append(l['p50_ms']); m['p99'].append(l['p99_ms'])
        m['cpu'].append(l['server_cpu_ms_per_request']); m['ucpu'].append(u['server_cpu_ms_per_request']); m['ur'].append(ur); m['gr'].append(gr)
print()
print('| IdP key | store | build | runs | logins/s (median) | p50 | p99 | CPU/login | untrusted refusal CPU | untrusted ÷ login (median; range) | garbage ÷ login (range) |')
print('|---|---|---|---|---|---|---|---|---|---|---|')
for key in sorted(med):
    m = med[key]; md = statistics.median
    print(f"| {key[0]} | {key[1]} | {key[2]} | {len(m['lps'])} | {md(m['lps']):.0f} | {md(m['p50']):.0f} ms | {md(m['p99']):.0f} ms | {md(m['cpu']):.2f} ms | {md(m['ucpu']):.3f} ms | {md(m['ur']):.1f} % ({min(m['ur']):.1f}–{max(m['ur']):.1f}) | {min(m['gr']):.1f}–{max(m['gr']):.1f} % |")
