// Preloaded into a measured process: reports its peak resident memory when it exits.
"use strict";
process.on("exit", () => {
    process.stderr.write(`\nBENCH_MAX_RSS_KB=${process.resourceUsage().maxRSS}\n`);
});
