#!/usr/bin/env python3
"""The Python contenders of the side-by-side benchmark: one workload per call, one JSON line on stdout.

Usage: peers.py WORKLOAD COUNT WORKERS
  apply_async   COUNT tiny tasks (the square of the input) submitted one by one to multiprocessing.Pool
  submit        the same through concurrent.futures.ProcessPoolExecutor.submit
  map           Pool.map of the square over COUNT integers, with its default chunking
  queued        COUNT tasks submitted with apply_async before any result is read: the peak memory (RSS)
The pool is started and warmed up before the clock starts, as mpflow's is.
"""
import concurrent.futures
import json
import multiprocessing
import resource
import sys
import time


def square(x):
    return x * x


def main():
    workload, count, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if workload == "submit":
        with concurrent.futures.ProcessPoolExecutor(workers) as ex:
            [f.result() for f in [ex.submit(square, i) for i in range(1000)]]
            start = time.perf_counter()
            futures = [ex.submit(square, i) for i in range(count)]
            total = sum(f.result() for f in futures)
            seconds = time.perf_counter() - start
    else:
        with multiprocessing.Pool(workers) as pool:
            pool.map(square, range(1000))
            start = time.perf_counter()
            if workload == "apply_async":
                results = [pool.apply_async(square, (i,)) for i in range(count)]
                total = sum(r.get() for r in results)
            elif workload == "map":
                total = sum(pool.map(square, range(count)))
            elif workload == "queued":
                results = [pool.apply_async(square, (i,)) for i in range(count)]
                total = sum(r.get() for r in results)
            else:
                raise SystemExit("unknown workload " + workload)
            seconds = time.perf_counter() - start
    expected = sum(i * i for i in range(count))
    if total != expected:
        raise SystemExit("wrong sum %d, expected %d" % (total, expected))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "perSecond": count / seconds, "peakRssMiB": peak_kib / 1024}))


if __name__ == "__main__":
    main()
