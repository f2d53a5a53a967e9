// The output formats, by name (DESIGN "The compression seam": "Exporter registry").
import type { OutputFormat } from '../../core/compression-plan';
import type { Exporter } from './exporter';
import { ggufExporter } from './gguf-exporter';
import { onnxExporter } from './onnx-exporter';
import { safetensorsExporter } from './safetensors-exporter';

const EXPORTERS: Record<OutputFormat, Exporter> = { onnx: onnxExporter, gguf: ggufExporter, safetensors: safetensorsExporter };

export function exporterFor(format: OutputFormat): Exporter {
  return EXPORTERS[format];
}
