// Writes postman/: the Postman collection (v2.1), converted from docs/openapi.yaml by Portman with
// portman/postman-config.json (sign-in pre-request script, token capture, {{variables}} in the bodies)
// and openapi-to-postmanv2's options in portman/openapi-to-postman.json, and one environment per
// server of the document. With --check it writes nothing and exits 1 when postman/ differs.
//
//   node portman/postman.mjs [--check]      (make postman; `npm ci` first)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const doc = yaml.load(readFileSync(join(root, "docs/openapi.yaml"), "utf8"));

// Portman reads .env and writes tmp/ in its working directory: a scratch one, with portman/ linked
// in for the config's file: scripts, and no PORTMAN_* variable leaking a token into the collection.
const work = mkdtempSync(join(tmpdir(), "postman-"));
let collection;
try {
  symlinkSync(join(root, "portman"), join(work, "portman"));
  writeFileSync(join(work, ".env"), "");
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PORTMAN_")));
  execFileSync(join(root, "node_modules/.bin/portman"), ["--local", join(root, "docs/openapi.yaml"),
    "--portmanConfigFile", "portman/postman-config.json", "--postmanConfigFile", "portman/openapi-to-postman.json",
    "--includeTests", "false", "--warn", "false", "--envFile", ".env", "--output", "collection.json"],
    { cwd: work, env, stdio: ["ignore", "ignore", "pipe"] }); // its errors, if any, are thrown
  collection = JSON.parse(readFileSync(join(work, "collection.json"), "utf8"));
} finally {
  rmSync(work, { recursive: true, force: true });
}

// Postman assigns ids on import: dropping the converter's random ones keeps the files reproducible.
const stable = (v) => Array.isArray(v) ? v.map(stable) : v && typeof v === "object"
  ? Object.fromEntries(Object.entries(v).filter(([k]) => !["id", "_postman_id", "_"].includes(k)).map(([k, x]) => [k, stable(x)]))
  : v;
collection = stable(collection);
delete collection.variable; // the converter's {{baseUrl}}: the environments' apiUrl replaces it

// An environment per server: apiUrl, and every other {{variable}} the collection sends, empty.
const used = [...new Set([...JSON.stringify(collection).matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]))].sort();
const files = { "cognito-sam-go.postman_collection.json": collection };
for (const server of doc.servers) {
  const name = server.url.startsWith("http://127.0.0.1") ? "local" : "deployed";
  const apiUrl = server.url.replace(/\{(\w+)\}/g, "<$1>");
  files[`${name}.postman_environment.json`] = {
    name: `${doc.info.title}: ${name}`, _postman_variable_scope: "environment",
    values: used.map((key) => ({ key, value: key === "apiUrl" ? apiUrl : "", enabled: true,
      type: ["apiUrl", "username"].includes(key) ? "default" : "secret" })),
  };
}

const dir = join(root, "postman");
const stale = [];
for (const [name, data] of Object.entries(files)) {
  const text = JSON.stringify(data, null, 2) + "\n";
  let old = "";
  try { old = readFileSync(join(dir, name), "utf8"); } catch {}
  if (old === text) continue;
  if (process.argv.includes("--check")) stale.push(name); else writeFileSync(join(dir, name), text);
}
for (const name of readdirSync(dir).filter((n) => !(n in files))) {
  if (process.argv.includes("--check")) stale.push(name); else rmSync(join(dir, name));
}
if (stale.length > 0) {
  console.error(`postman/ has fallen behind docs/openapi.yaml (${stale.join(", ")}): run make postman`);
  process.exit(1);
}
