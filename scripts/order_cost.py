#!/usr/bin/env python3
"""One order at a time against a fresh `tradectl up`: latency, and CPU time and context
switches per order of each service (read from /proc). A measuring aid for docs/benchmarks.md,
not a test: it prints figures and never fails on them.

usage: scripts/order_cost.py BIN_DIR BUS_PORT ORDERS   (needs pyzmq; the venue uses BUS_PORT+15)

With ORDER_COST_INFLIGHT=K (default 1), K orders are kept in flight on one connection,
over 16 accounts × 2 symbols as `make bench` does at saturation; the figures are then
per order at that load (orders/s, and CPU and context switches per order).

With ORDER_COST_PERF=FILE set, the measured run is recorded by `perf record -g` on the six
services (one perf process, FILE its output): read it with
`perf report -i FILE --no-children --comm persistence-writer --sort sym`.

After the measured run it sends 50 more orders with the bus tap (BUS_PORT+3) subscribed
and prints the bus requests per order by type (the tap costs CPU, so it is not on
during the measured run). Venue calls do not cross the bus and are not counted.
"""
import os, sys, time, subprocess, signal, json, uuid, glob, shutil
import zmq
bindir, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = f"/tmp/breakwater-order-cost-{port}"; shutil.rmtree(data, ignore_errors=True)
env = dict(os.environ, BW_BUS_PORT=str(port), BW_VENUE_PORT=str(port + 15), BW_LOG_LEVEL="error",
           BW_ACCOUNTS=";".join(f"acct-{i}:USDT=1000000000" for i in range(1, 17)), BW_RATE_ACCOUNT_PER_SEC="1000000", BW_RATE_ACCOUNT_BURST="1000000",
           BW_RATE_VENUE_PER_SEC="1000000", BW_RATE_VENUE_BURST="1000000",
           BW_INSECURE_BUS="true")  # the plain-text order path's cost (CURVE's is not measured here)
up = subprocess.Popen([f"{bindir}/tradectl", "up", "--data", data], env=env, stdout=subprocess.DEVNULL, stderr=open(f"/tmp/breakwater-order-cost-{port}.log", "w"), start_new_session=True)
names = ["bus", "persistence-writer", "venue-sim", "risk-service", "order-gateway", "reconciler"]
sock = zmq.Context().socket(zmq.DEALER); sock.setsockopt(zmq.RCVTIMEO, 30000); sock.connect(f"tcp://127.0.0.1:{port}")
inflight = int(os.environ.get("ORDER_COST_INFLIGHT", "1"))
sent = 0
def frames():
    # Order i goes to account i mod 16, symbol (i / 16) mod 2 (acct-1, ETH/USDT at one in flight).
    global sent
    i = sent if inflight > 1 else 0; sent += 1
    account, (symbol, qty) = f"acct-{i % 16 + 1}", [("ETH/USDT", "0.01"), ("BTC/USDT", "0.001")][(i // 16) % 2]
    h = {"v": 1, "id": str(uuid.uuid4()), "type": "order.submit", "service": "order-gateway", "key": account, "ts": time.time_ns()}
    b = {"account": account, "symbol": symbol, "side": "buy", "type": "market", "qty": qty, "client_order_id": f"c-{uuid.uuid4()}"}
    return h["id"], [b"", json.dumps(h).encode(), json.dumps(b).encode()]
def order():
    _, f = frames()
    t = time.perf_counter_ns(); sock.send_multipart(f)
    _, rh, rb = sock.recv_multipart(); d = time.perf_counter_ns() - t
    return d, json.loads(rb).get("order", {}).get("state")
def orders_in_flight(count, states):
    """count orders, inflight at a time on one connection; latencies in ns."""
    started, lat = {}, []
    def send():
        rid, f = frames(); started[rid] = time.perf_counter_ns(); sock.send_multipart(f)
    for _ in range(min(inflight, count)): send()
    left = count - min(inflight, count)
    while started:
        _, rh, rb = sock.recv_multipart()
        lat.append(time.perf_counter_ns() - started.pop(json.loads(rh)["reply_to"]))
        s = json.loads(rb).get("order", {}).get("state"); states[s] = states.get(s, 0) + 1
        if left: left -= 1; send()
    return lat
deadline = time.time() + 90
while True:
    try:
        sock.setsockopt(zmq.RCVTIMEO, 3000); d, s = order()
        if s == "filled": break
    except zmq.Again:
        sock.close(0); sock = zmq.Context().socket(zmq.DEALER); sock.connect(f"tcp://127.0.0.1:{port}")
    if time.time() > deadline: sys.exit("suite did not come up")
    time.sleep(0.2)
sock.setsockopt(zmq.RCVTIMEO, 30000)
for _ in range(20): order()
def pids():
    out = {}
    for p in glob.glob("/proc/[0-9]*"):
        try: exe = os.readlink(p + "/exe")
        except OSError: continue
        if exe.startswith(os.path.realpath(bindir) + "/") and os.path.basename(exe) in names: out[os.path.basename(exe)] = p
    return out
def snap(ps):
    r = {}
    for name, p in ps.items():
        st = open(p + "/stat").read().rsplit(")", 1)[1].split()
        cpu = int(st[11]) + int(st[12])
        cs = 0
        for t in glob.glob(p + "/task/*/status"):
            for line in open(t):
                if "ctxt_switches" in line: cs += int(line.split()[1])
        r[name] = (cpu, cs)
    return r
ps = pids(); perf = None
if os.environ.get("ORDER_COST_PERF"):
    perf = subprocess.Popen(["perf", "record", "-g", "-q", "-o", os.environ["ORDER_COST_PERF"], "-p",
                             ",".join(p.split("/")[-1] for p in ps.values())], stdout=subprocess.DEVNULL)
    time.sleep(1.0)
def cpu_busy():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(v) - v[3] - v[4], sum(v)
a = snap(ps); lat = []; states = {}; began = time.perf_counter()
mine_a = sum(os.times()[:2]); busy_a = cpu_busy()
if inflight > 1:
    lat = orders_in_flight(n, states)
else:
    for _ in range(n):
        d, s = order(); lat.append(d); states[s] = states.get(s, 0) + 1
elapsed = time.perf_counter() - began
mine_b = sum(os.times()[:2]); busy_b = cpu_busy()
busy = 100 * (busy_b[0] - busy_a[0]) / max(1, busy_b[1] - busy_a[1])
b = snap(ps); tick = os.sysconf("SC_CLK_TCK")
if perf: perf.send_signal(signal.SIGINT); perf.wait(timeout=60)
lat.sort(); f = lambda q: lat[min(len(lat)-1, len(lat)*q//1000)]/1e6
print(f"{bindir}: n={n} in flight {inflight}: {n / elapsed:.0f} orders/s, p50 {f(500):.2f} ms p99 {f(990):.2f} ms min {lat[0]/1e6:.2f} ms states {states}")
tot_cpu = tot_cs = 0
for name in names:
    if name not in a: continue
    cpu = (b[name][0]-a[name][0]) * 1000 / tick / n; cs = (b[name][1]-a[name][1]) / n; tot_cpu += cpu; tot_cs += cs
    print(f"  {name:20s} cpu {cpu:6.2f} ms/order  ctx switches {cs:6.1f}/order")
print(f"  {'TOTAL':20s} cpu {tot_cpu:6.2f} ms/order  ctx switches {tot_cs:6.1f}/order")
print(f"  (this client: cpu {(mine_b - mine_a) * 1000 / n:.2f} ms/order; all CPUs busy {busy:.0f} % of the run)")
tap = zmq.Context().socket(zmq.SUB); tap.setsockopt(zmq.SUBSCRIBE, b""); tap.setsockopt(zmq.RCVTIMEO, 200)
tap.connect(f"tcp://127.0.0.1:{port + 3}"); time.sleep(1.0)
def drain():
    seen = {}
    while True:
        try: frames = tap.recv_multipart()
        except zmq.Again: return seen
        if len(frames) != 3: continue
        header, hop = json.loads(frames[1]), json.loads(frames[2])
        if hop.get("kind") == "request" and not header.get("type", "").startswith("bus."):
            seen[header["type"]] = seen.get(header["type"], 0) + 1
drain(); tapped = 50
for _ in range(tapped): order()
time.sleep(1.0); seen = drain()
print(f"  bus requests per order ({tapped} orders, tap on): " + ", ".join(f"{t} {c / tapped:.2f}" for t, c in sorted(seen.items())) + f"; total {sum(seen.values()) / tapped:.2f}")
os.killpg(up.pid, signal.SIGINT); up.wait(timeout=30)
shutil.rmtree(data, ignore_errors=True)
