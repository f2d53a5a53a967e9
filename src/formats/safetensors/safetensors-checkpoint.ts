// A Hugging Face checkpoint as the user drops it (docs/FORMATS.md §5): one model.safetensors, or
// shards plus model.safetensors.index.json whose weight_map names the shard of every tensor.
// Opens each shard lazily and presents one tensor list; config.json is read for the architecture.
import { baseName, type ByteSource } from '../../core/byte-source';
import { FormatError, MissingFileError, UsageError } from '../../core/errors';
import { readJsonSource } from '../json-source';
import { openSafetensors, type SafetensorsFile, type SafetensorsTensorInfo } from './safetensors-reader';

/** Index files are small; refuse anything that is clearly not one before parsing it. */

export interface CheckpointTensor extends SafetensorsTensorInfo {
  file: SafetensorsFile;
}

export interface SafetensorsCheckpoint {
  /** The index file's name, or the single .safetensors file's name. */
  name: string;
  shards: SafetensorsFile[];
  tensors: CheckpointTensor[];
  /** Parsed config.json when one was given. */
  config?: Record<string, unknown>;
  /** Bytes of every file that makes up the checkpoint (index and shards). */
  fileBytes: number;
}

/**
 * Opens a checkpoint from the files a user gave: model.safetensors, or an index plus its shards
 * (matched by file name), and optionally config.json. Extra files are ignored.
 */
export async function openSafetensorsCheckpoint(sources: ByteSource[]): Promise<SafetensorsCheckpoint> {
  const byName = new Map(sources.map((s) => [baseName(s.name), s]));
  const configSource = byName.get('config.json');
  const config = configSource ? await readConfig(configSource) : undefined;
  const indexSource = sources.find((s) => baseName(s.name).endsWith('.safetensors.index.json'));
  if (indexSource) return openSharded(indexSource, byName, config);
  const files = sources.filter((s) => baseName(s.name).endsWith('.safetensors'));
  if (files.length === 0) throw new UsageError('no .safetensors file was given');
  if (files.length > 1) throw new UsageError(`${files.length} .safetensors files were given without model.safetensors.index.json; give the index too`);
  const shard = await openSafetensors(files[0]);
  return {
    name: files[0].name,
    shards: [shard],
    tensors: shard.tensors.map((t) => ({ ...t, file: shard })),
    config,
    fileBytes: files[0].byteLength,
  };
}

async function readConfig(source: ByteSource): Promise<Record<string, unknown>> {
  const json = await readJsonSource(source);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new FormatError('config.json is not a JSON object', 0, source.name);
  return json as Record<string, unknown>;
}

async function openSharded(index: ByteSource, byName: Map<string, ByteSource>, config?: Record<string, unknown>): Promise<SafetensorsCheckpoint> {
  const json = (await readJsonSource(index)) as { weight_map?: unknown };
  const map = json?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new FormatError('index has no "weight_map" object', 0, index.name);
  const wanted = new Map<string, string>(); // tensor → shard file name
  for (const [tensor, file] of Object.entries(map as Record<string, unknown>)) {
    if (typeof file !== 'string') throw new FormatError(`weight_map["${tensor}"] is not a file name`, 0, index.name);
    wanted.set(tensor, file);
  }
  const shardNames = [...new Set(wanted.values())];
  const shards: SafetensorsFile[] = [];
  const tensors: CheckpointTensor[] = [];
  let fileBytes = index.byteLength;
  for (const shardName of shardNames) {
    const source = byName.get(baseName(shardName));
    if (!source) throw new MissingFileError(`${index.name} needs shard ${shardName}, which was not given`, shardName);
    const shard = await openSafetensors(source);
    shards.push(shard);
    fileBytes += source.byteLength;
    for (const t of shard.tensors) {
      const expected = wanted.get(t.name);
      if (expected === undefined) throw new FormatError(`tensor "${t.name}" is in ${shardName} but not in the index's weight_map`, t.byteOffset, source.name);
      if (baseName(expected) !== baseName(shardName)) throw new FormatError(`tensor "${t.name}" is in ${shardName} but the index places it in ${expected}`, t.byteOffset, source.name);
      tensors.push({ ...t, file: shard });
    }
  }
  const found = new Set(tensors.map((t) => t.name));
  for (const [tensor, file] of wanted) {
    if (!found.has(tensor)) throw new FormatError(`the index places "${tensor}" in ${file}, but that shard does not contain it`, 0, index.name);
  }
  return { name: index.name, shards, tensors, config, fileBytes };
}
