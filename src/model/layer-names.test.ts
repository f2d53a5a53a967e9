import { describe, expect, it } from 'vitest';
import { guessArchitecture } from './architecture';
import { layerFromTensorName, nodeModulePath, stripSharedRoot } from './layer-names';

describe('layer names', () => {
  it('turns exporter node names into module paths', () => {
    expect(nodeModulePath('/model/layers.0/self_attn/q_proj/MatMul')).toEqual(['model', 'layers.0', 'self_attn', 'q_proj']);
    expect(nodeModulePath('MatMul_12')).toBeUndefined();
    expect(nodeModulePath('/MatMul')).toBeUndefined();
  });

  it('strips a repeated wrapper root only when every path shares it', () => {
    const wrapped = [['model', 'model', 'layers.0', 'mlp'], ['model', 'lm_head'], ['model', 'model', 'embed_tokens']];
    expect(stripSharedRoot(wrapped).map((p) => p.join('.'))).toEqual(['model.layers.0.mlp', 'lm_head', 'model.embed_tokens']);
    const optimum = [['model', 'layers.0', 'mlp'], ['lm_head']];
    expect(stripSharedRoot(optimum)).toEqual(optimum);
    expect(layerFromTensorName('model.layers.0.mlp.up_proj.weight')).toBe('model.layers.0.mlp.up_proj');
    expect(layerFromTensorName('onnx::MatMul_1')).toBe('onnx::MatMul_1');
  });

  it('guesses llama only with llama attention, MLP and RMS norm', () => {
    const layers = ['model.layers.0.self_attn.q_proj', 'model.layers.0.self_attn.o_proj', 'model.layers.0.mlp.gate_proj', 'model.layers.0.mlp.down_proj'];
    expect(guessArchitecture({ layers, opTypes: new Set(['SimplifiedLayerNormalization']) })).toBe('llama');
    expect(guessArchitecture({ layers, opTypes: new Set(['LayerNormalization', 'ReduceMean', 'Pow']) })).toBe('unknown');
    expect(guessArchitecture({ layers: ['h.0.attn.c_attn'], opTypes: new Set(['ReduceMean', 'Pow']) })).toBe('unknown');
  });
});
