"""Entry point of one ``MultiWorkerMirroredStrategy`` worker: ``python -m fusionlab.scale._tf_worker SPEC``.

``TF_CONFIG`` in the environment says which worker this is; SPEC is the JSON of
:func:`fusionlab.scale.distribute.run_multi_worker`.
"""

from __future__ import annotations

import json
import sys

from .distribute import worker_main

if __name__ == "__main__":
    worker_main(json.loads(sys.argv[1]))
