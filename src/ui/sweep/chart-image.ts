// A recharts chart as a file that stands on its own elsewhere (a paper, a slide, an issue): its
// <svg> serialized with fonts and a white background inlined, under a header the page shows as
// HTML and the chart's svg lacks — the title, the model and protocol, and the keys (recharts'
// legend and the method key are HTML, so they are redrawn here as SVG text beside their icons).
// The PNG is that SVG drawn on a canvas at twice the size.

const SVG_NS = 'http://www.w3.org/2000/svg';
const TEXT = '#1c2030';
const MUTED = '#5f667a';
const PAD = 12;

/** What the exported file says above the chart. */
export interface ChartCaption {
  title: string;
  /** The model and how it was measured: "model.onnx · wikitext2-w256 · W=8". */
  subtitle: string;
}

/** One entry of a chart's keys: its icon (a small svg) and its words. */
export interface KeyItem {
  icon: SVGSVGElement | null;
  label: string;
}

/** The keys shown as HTML around the chart in `container`: recharts' legend items and the method key. */
export function chartKeyItems(container: HTMLElement | null): KeyItem[] {
  const items = [...(container?.querySelectorAll<HTMLElement>('.recharts-legend-item, [data-testid="method-key-item"]') ?? [])];
  return items.map((el) => ({ icon: el.querySelector('svg'), label: (el.textContent ?? '').trim() })).filter((k) => k.label);
}

function svgText(x: number, y: number, text: string, size: number, fill: string, weight = 'normal'): SVGTextElement {
  const t = document.createElementNS(SVG_NS, 'text');
  t.setAttribute('x', String(x));
  t.setAttribute('y', String(y));
  t.setAttribute('font-size', String(size));
  t.setAttribute('font-weight', weight);
  t.setAttribute('fill', fill);
  t.textContent = text;
  return t;
}

/** The header (title, subtitle, keys wrapped to the width) and its height. */
function header(caption: ChartCaption, keys: readonly KeyItem[], width: number): { group: SVGGElement; height: number } {
  const group = document.createElementNS(SVG_NS, 'g');
  group.setAttribute('data-testid', 'chart-export-header');
  group.append(svgText(PAD, 22, caption.title, 15, TEXT, '650'), svgText(PAD, 40, caption.subtitle, 11, MUTED));
  let x = PAD;
  let y = 62;
  for (const key of keys) {
    const w = 18 + key.label.length * 6.4 + 14; // icon, gap, an estimate of the words (no layout engine in a file)
    if (x + w > width - PAD && x > PAD) {
      x = PAD;
      y += 18;
    }
    if (key.icon) {
      const icon = key.icon.cloneNode(true) as SVGSVGElement;
      icon.setAttribute('x', String(x));
      icon.setAttribute('y', String(y - 10));
      icon.setAttribute('width', '12');
      icon.setAttribute('height', '12');
      group.append(icon);
    }
    group.append(svgText(x + 16, y, key.label, 11.5, TEXT));
    x += w;
  }
  return { group, height: keys.length ? y + 12 : 52 };
}

/** The chart's main <svg> inside `container` (recharts draws legend icons as small svgs too). */
export function chartSvg(container: HTMLElement | null): SVGSVGElement | null {
  const svgs = [...(container?.querySelectorAll<SVGSVGElement>('.recharts-wrapper svg.recharts-surface') ?? [])];
  const area = (svg: SVGSVGElement) => svg.getBoundingClientRect().width * svg.getBoundingClientRect().height;
  return svgs.sort((a, b) => area(b) - area(a))[0] ?? null;
}

/** A standalone SVG document of the chart under its caption and keys. */
export function serializeChart(svg: SVGSVGElement, caption: ChartCaption, keys: readonly KeyItem[] = []): { text: string; width: number; height: number } {
  const rect = svg.getBoundingClientRect();
  const width = Math.round(rect.width);
  const chartHeight = Math.round(rect.height);
  const top = header(caption, keys, width);
  const height = top.height + chartHeight;
  const root = document.createElementNS(SVG_NS, 'svg');
  root.setAttribute('xmlns', SVG_NS);
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(height));
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const font = getComputedStyle(svg).fontFamily || 'sans-serif';
  root.setAttribute('style', `font-family: ${font}; font-size: 12px; background: #fff`);
  const background = document.createElementNS(SVG_NS, 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', '#ffffff');
  const chart = svg.cloneNode(true) as SVGSVGElement;
  chart.setAttribute('x', '0');
  chart.setAttribute('y', String(top.height));
  chart.setAttribute('width', String(width));
  chart.setAttribute('height', String(chartHeight));
  root.append(background, top.group, chart);
  const text = '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(root);
  return { text, width, height };
}

export function svgBlob(text: string): Blob {
  return new Blob([text], { type: 'image/svg+xml;charset=utf-8' });
}

/** Rasterizes the SVG text (drawImage of the SVG blob) into a PNG blob. */
export async function pngBlob(text: string, width: number, height: number, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(svgBlob(text));
  try {
    const image = new Image();
    image.decoding = 'async';
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('The chart could not be drawn as an image.'));
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('This browser gave no 2D canvas to draw the chart on.');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The chart could not be encoded as PNG.'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
