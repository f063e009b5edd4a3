import { libraryConfig } from '../../tools/tsup/library';

// onnx-buf is generated code shipped as ESM only; bundling it lets the CommonJS build load
// without require(esm). onnxruntime-node and @bufbuild/protobuf stay external.
export default libraryConfig('node', { noExternal: ['onnx-buf'] });
