// Preloaded into a CLI run by bench/memory.ts (`node --require bench/peak-rss.cjs …`): on exit, writes
// the process's peak resident set size (bytes) to $PEAK_RSS_FILE — no /usr/bin/time needed.
const { writeFileSync } = require('node:fs');

const file = process.env.PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
