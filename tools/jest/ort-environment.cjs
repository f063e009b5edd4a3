// Shared by the packages whose tests run onnxruntime-node under jest.
// onnxruntime-node builds output tensors with the typed-array constructors of Node's main realm and
// checks `instanceof` against them; jest's sandbox has its own realm. Share the constructors.
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

class OrtEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of [
      'ArrayBuffer',
      'SharedArrayBuffer',
      'DataView',
      'Uint8Array',
      'Int8Array',
      'Uint16Array',
      'Int16Array',
      'Uint32Array',
      'Int32Array',
      'Float32Array',
      'Float64Array',
      'BigInt64Array',
      'BigUint64Array',
      'Uint8ClampedArray',
    ]) {
      this.global[name] = globalThis[name];
    }
  }
}
module.exports = OrtEnvironment;
