#!/usr/bin/python3
"""Run onnx.checker on the models in DIR (listed in DIR/hashes.json) and write verdicts to OUT.

Two verdicts per model:
  checker     onnx.checker.check_model(full_check=True): 'ok', or the error. Debian 12 ships onnx
              1.12 (IR 8, opset 17), older than our IR 10 / opset 21 models (Gelu needs opset 20);
              that case is recorded as 'checker too old: ...' rather than hidden.
  structural  checks that need no opset-21 schemas (ops newer than the installed onnx, listed in
              NEWER_THAN_CHECKER, are accepted by name): the protobuf parses, the header is IR 10 with
              the single ai.onnx opset 21, every op type is a registered ai.onnx op, names are
              assigned once, the nodes are in topological order, and every graph output is produced.
"""
import hashlib
import json
import os
import sys

import onnx

src, out = sys.argv[1], sys.argv[2]
hashes = json.load(open(os.path.join(src, 'hashes.json')))
# ai.onnx ops we emit that are newer than Debian 12's onnx 1.12 (opset 17): op → opset added.
NEWER_THAN_CHECKER = {'Gelu': 20}


def structural(model):
    if model.ir_version != 10:
        return 'ir_version %d' % model.ir_version
    if [(o.domain, o.version) for o in model.opset_import] != [('', 21)]:
        return 'opset_import %s' % [(o.domain, o.version) for o in model.opset_import]
    g = model.graph
    defined = set()
    for v in list(g.input) + list(g.initializer):
        if v.name in defined:
            return 'name defined twice: %s' % v.name
        defined.add(v.name)
    for n in g.node:
        known = onnx.defs.has(n.op_type) or n.op_type in NEWER_THAN_CHECKER
        if n.domain not in ('', 'ai.onnx') or not known:
            return 'unknown op %s:%s' % (n.domain, n.op_type)
        for i in n.input:
            if i and i not in defined:
                return 'node %s uses %s before it is defined' % (n.name, i)
        for o in n.output:
            if o in defined:
                return 'name defined twice: %s' % o
            defined.add(o)
    for o in g.output:
        if o.name not in defined:
            return 'output %s is never produced' % o.name
    return 'ok'


results = {}
for name, digest in sorted(hashes.items()):
    path = os.path.join(src, name)
    data = open(path, 'rb').read()
    assert hashlib.sha256(data).hexdigest() == digest, name
    model = onnx.load_from_string(data)
    try:
        onnx.checker.check_model(model, full_check=True)
        checker = 'ok'
    except Exception as e:  # noqa: BLE001 (record every checker complaint verbatim)
        msg = str(e).strip().splitlines()[0]
        too_old = 'ir_version' in msg and 'higher' in msg
        checker = ('checker too old: onnx %s: %s' % (onnx.__version__, msg)) if too_old else msg
    results[name] = {'sha256': digest, 'nodes': len(model.graph.node), 'checker': checker, 'structural': structural(model)}
    print('%-48s %-6s %s' % (name, results[name]['structural'], checker))

json.dump({'generator': 'tools/golden/graph/check_onnx.sh (onnx %s)' % onnx.__version__, 'models': results},
          open(out, 'w'), indent=2)
