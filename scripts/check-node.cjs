// Runs before start/chat/test on whatever Node is on PATH (so: plain CommonJS, no syntax past ES2017).
// The bot runs TypeScript from source: that needs type stripping on by default, which came in
// Node 22.18 (and 23.6), and node:sqlite without a flag (22.13). So: Node >= 22.18.
'use strict';

var MINIMUM = '22.18';

/** Whether a Node version string ("22.18.0", "v24.1.0") can run the bot. */
function nodeVersionOk(version) {
  var parts = String(version).replace(/^v/, '').split('.').map(Number);
  var major = parts[0];
  var minor = parts[1];
  if (!(major >= 0) || !(minor >= 0)) return false;
  return major > 22 || (major === 22 && minor >= 18);
}

module.exports = { nodeVersionOk: nodeVersionOk, MINIMUM: MINIMUM };

if (require.main === module && !nodeVersionOk(process.versions.node)) {
  process.stderr.write(
    'This bot needs Node.js ' + MINIMUM + ' or newer (24 LTS recommended); this is Node ' + process.versions.node + '.\n' +
      'Install Node 24 without root:  npm install -g --prefix "$HOME/.node24" node@24\n' +
      'then:  export PATH="$HOME/.node24/bin:$PATH"  and run the command again.\n',
  );
  process.exit(1);
}
