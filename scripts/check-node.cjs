// Runs before start/chat/test on whatever Node is on PATH (so: plain CommonJS, no syntax past ES2017).
// The bot runs TypeScript from source with Node's type stripping and uses node:sqlite: Node >= 22.12.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    'This bot needs Node.js 22.12 or newer (24 LTS recommended); this is Node ' + process.versions.node + '.\n' +
      'Install Node 24 without root:  npm install -g --prefix "$HOME/.node24" node@24\n' +
      'then:  export PATH="$HOME/.node24/bin:$PATH"  and run the command again.\n',
  );
  process.exit(1);
}
