"""Entry point of the child process started by :func:`fusionlab.scale.processes.measure_peak_memory`.

    python -m fusionlab.scale._child package.module:function '{"keyword": "arguments"}' [module,module]

Prints one JSON line: the function's result and the resident set before the call.
"""

from __future__ import annotations

import importlib
import json
import sys


def _rss_mb(field: str = "VmRSS") -> float:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:  # pragma: no cover - no /proc (macOS)
        pass
    return float("nan")


def main(argv: list[str]) -> int:
    target, arguments, *preload = argv
    for name in filter(None, ",".join(preload).split(",")):
        importlib.import_module(name)
    module_name, function_name = target.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    kwargs = json.loads(arguments)
    baseline = _rss_mb()
    result = function(**kwargs)
    print(json.dumps({"result": result, "baseline_rss_mb": baseline, "peak_rss_mb": _rss_mb("VmHWM")}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
