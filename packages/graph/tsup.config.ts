import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
  // onnx-buf is generated code shipped as ESM only; bundling it lets the CommonJS build load
  // without require(esm). onnxruntime-node and @bufbuild/protobuf stay external.
  noExternal: ['onnx-buf'],
});
