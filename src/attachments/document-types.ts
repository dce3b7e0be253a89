/**
 * Which attachments are documents the bot reads itself: PDFs, and text by MIME
 * type or, since platforms often report source code as `application/octet-stream`
 * (or `.ts` as `video/mp2t`), by file extension.
 */

/** MIME types of text that are not `text/*`. */
const TEXT_TYPES = new Set([
  'application/json',
  'application/x-ndjson',
  'application/xml',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/javascript',
  'application/x-javascript',
  'application/typescript',
  'application/x-typescript',
  'application/x-sh',
  'application/x-shellscript',
  'application/sql',
  'application/x-sql',
  'application/graphql',
  'application/x-httpd-php',
  'application/x-python',
  'application/x-tex',
  'application/csv',
]);

const TEXT_EXTENSIONS = new Set(
  (
    'txt text md markdown mdx rst adoc org csv tsv json jsonl ndjson json5 yaml yml toml ini cfg conf env properties log ' +
    'xml html htm xhtml svg css scss sass less js mjs cjs jsx ts tsx mts cts py pyi ipynb rb go rs java kt kts scala swift ' +
    'c h cc cpp cxx hpp hh hxx m mm cs fs fsx vb php pl pm r jl lua dart sh bash zsh fish ps1 psm1 bat cmd sql graphql gql ' +
    'proto tf tfvars hcl vue svelte astro tex bib diff patch gradle mk cmake nix ex exs erl hrl hs clj cljs edn elm ml mli ' +
    'vim el lisp scm rkt zig nim v sol asm s awk sed groovy gitignore gitattributes editorconfig dockerignore lock srt vtt'
  ).split(' '),
);

/** Files people share without an extension that are text. */
const TEXT_FILE_NAMES = new Set(['dockerfile', 'makefile', 'readme', 'license', 'gemfile', 'procfile', 'jenkinsfile', 'vagrantfile', 'caddyfile']);

export const extensionOf = (name: string): string => {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
};

/** True for a MIME type that is text: `text/*`, the types above, and `+json` / `+xml` types. */
export function isTextType(type: string | undefined): boolean {
  if (!type) return false;
  return type.startsWith('text/') || TEXT_TYPES.has(type) || type.endsWith('+json') || type.endsWith('+xml');
}

/** True for a file name that says text: a source or data extension, or a well-known extension-less name. */
export function isTextName(name: string): boolean {
  const extension = extensionOf(name);
  return extension === '' ? TEXT_FILE_NAMES.has(name.toLowerCase()) : TEXT_EXTENSIONS.has(extension);
}

export function isPdf(type: string | undefined, name: string): boolean {
  return type === 'application/pdf' || extensionOf(name) === 'pdf';
}
