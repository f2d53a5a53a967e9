// "PNG" and "SVG" buttons that save the chart drawn inside `target` with its caption and keys (see chart-image.ts).
import { useState, type RefObject } from 'react';
import { downloadBlob } from '../../store/save-file';
import { chartKeyItems, chartSvg, pngBlob, serializeChart, svgBlob, type ChartCaption } from './chart-image';

export function ChartDownload({ target, fileStem, testId, caption }: { target: RefObject<HTMLElement | null>; fileStem: string; testId: string; caption: ChartCaption }) {
  const [failed, setFailed] = useState<string | null>(null);

  const save = async (kind: 'png' | 'svg') => {
    setFailed(null);
    const svg = chartSvg(target.current);
    if (!svg) return;
    try {
      const { text, width, height } = serializeChart(svg, caption, chartKeyItems(target.current));
      downloadBlob(kind === 'svg' ? svgBlob(text) : await pngBlob(text, width, height), `${fileStem}.${kind}`);
    } catch (e) {
      setFailed((e as Error).message);
    }
  };

  return (
    <span className="chart-download">
      <button type="button" className="button button-small" onClick={() => void save('png')} data-testid={`${testId}-png`}>
        PNG
      </button>
      <button type="button" className="button button-small" onClick={() => void save('svg')} data-testid={`${testId}-svg`}>
        SVG
      </button>
      {failed && <span className="small sweep-error">{failed}</span>}
    </span>
  );
}
