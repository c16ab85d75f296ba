// Checks HTTP replies against docs/openapi.yaml, for the integration tests.
//
// Reads one JSON request per line on stdin and answers one JSON line on
// stdout: {"violations": [...]}, empty when the reply is what the contract
// says. A request describes a reply the tests received:
//
//   {"method": "GET", "target": "/v1/shops/1?limit=5", "status": 200,
//    "headers": {"content-type": "...", ...}, "body": "..." or null,
//    "lenient": false}
//
// or a value carried inside a reply, such as one event of a stream:
//
//   {"schema": "/components/schemas/ChatEvent", "value": {...}}
//
// The reply must belong to a documented operation (or to the path's other
// operations for a method the path does not take, or be the 404 every
// undocumented path gets), its status must be documented for it, its
// content type must be one of that status's, its body must match the
// schema (JSON Schema 2020-12, checked by Ajv) and its documented headers
// must be present and match theirs. "lenient" is for requests that are
// garbage on purpose: a success is still checked in full, an error only for
// a documented status and the generic Problem shape.
//
// Usage: node contract-check.mjs [path/to/openapi.yaml]

import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import yaml from "js-yaml";

const here = dirname(fileURLToPath(import.meta.url));
const specPath = process.argv[2] || join(here, "..", "docs", "openapi.yaml");
const doc = yaml.load(readFileSync(specPath, "utf8"));
const DOC_ID = "openapi.yaml";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

// The OpenAPI keywords a 3.1 Schema Object may carry besides JSON Schema's.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false,
                          strictRequired: false });
ajv.addVocabulary(["discriminator", "xml", "externalDocs", "example"]);
// The document itself is added as a schema that references point into; its
// top-level members (openapi, info, paths, ...) are no schema keywords.
ajv.addVocabulary(Object.keys(doc).filter((k) => !ajv.getKeyword(k)));
addFormats(ajv);
ajv.addSchema(doc, DOC_ID);

function pointerEscape(s) {
  return String(s).replace(/~/g, "~0").replace(/\//g, "~1");
}

// Follows an OpenAPI $ref (responses, headers) within the document;
// returns [object, its JSON pointer].
function deref(obj, pointer) {
  for (let i = 0; obj && obj.$ref && i < 10; i++) {
    if (!obj.$ref.startsWith("#/")) throw new Error(`unsupported $ref ${obj.$ref}`);
    pointer = obj.$ref.slice(1);
    obj = pointer.split("/").slice(1)
      .reduce((o, k) => o[k.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
  }
  return [obj, pointer];
}

const compiled = new Map();
function validatorAt(pointer) {
  let v = compiled.get(pointer);
  if (!v) {
    v = ajv.compile({ $ref: `${DOC_ID}#${pointer}` });
    compiled.set(pointer, v);
  }
  return v;
}

// Paths as regular expressions; more literal segments win, so
// /orders/export.csv is not taken for /orders/{order_id}.
const routes = Object.keys(doc.paths).map((template) => {
  const segs = template.split("/");
  const re = segs.map((s) => s.replace(/\{[^}]+\}/g, "\u0000")
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\u0000/g, "[^/]+")).join("/");
  const literal = segs.filter((s) => !s.includes("{")).length;
  return { template, re: new RegExp(`^${re}$`), literal };
}).sort((a, b) => b.literal - a.literal);

function findPath(target) {
  const path = target.split("?")[0].split("#")[0];
  return routes.find((r) => r.re.test(path));
}

// A media type as [type, param, ...], lower case, without spaces.
function mediaType(value) {
  return (value || "").split(";").map((p) => p.replace(/\s/g, "").toLowerCase())
    .filter(Boolean);
}

// The documented media type that fits the reply's Content-Type: equal
// type, and the documented parameters (if any) all present.
function findContent(content, ctype) {
  const [type, ...params] = mediaType(ctype);
  for (const key of Object.keys(content || {})) {
    const [ktype, ...kparams] = mediaType(key);
    if (ktype === type && kparams.every((p) => params.includes(p))) return key;
  }
  return null;
}

function schemaErrors(validate, value) {
  if (validate(value)) return [];
  return validate.errors.slice(0, 8).map((e) => {
    const where = e.instancePath || "(root)";
    const extra = e.params && e.params.additionalProperty !== undefined
      ? ` (${e.params.additionalProperty})` : e.params && e.params.allowedValues
        ? ` (${JSON.stringify(e.params.allowedValues)})` : "";
    let shown = "";
    try {
      const got = e.instancePath.split("/").slice(1)
        .reduce((o, k) => o[k.replace(/~1/g, "/").replace(/~0/g, "~")], value);
      if (got !== undefined && typeof got !== "object") shown = `, got ${JSON.stringify(got)}`;
    } catch { /* the path may not exist */ }
    return `${where} ${e.message}${extra}${shown} [schema ${e.schemaPath}]`;
  });
}

function checkHeaders(response, rpointer, headers, out) {
  for (const [name, ref] of Object.entries(response.headers || {})) {
    if (name.toLowerCase() === "content-type") continue;
    const [header, hpointer] = deref(ref, `${rpointer}/headers/${pointerEscape(name)}`);
    const value = headers[name.toLowerCase()];
    if (value === undefined) {
      if (header.required) out.push(`header ${name} missing`);
      continue;
    }
    if (!header.schema) continue;
    const type = deref(header.schema, `${hpointer}/schema`)[0].type;
    let parsed = value;
    if (type === "integer" || type === "number") {
      parsed = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    }
    for (const e of schemaErrors(validatorAt(`${hpointer}/schema`), parsed)) {
      out.push(`header ${name}: ${JSON.stringify(value)}: ${e}`);
    }
  }
}

function checkBody(response, rpointer, req, out, schemaPointer) {
  const ctype = req.headers["content-type"];
  const body = req.body;
  const empty = body === null || body === undefined || body === "";
  if (!response.content || Object.keys(response.content).length === 0) {
    if (!empty) out.push(`a body where none is documented (Content-Type ${ctype})`);
    return;
  }
  if (req.method === "HEAD") return;
  const key = findContent(response.content, ctype);
  if (key === null) {
    out.push(`Content-Type ${JSON.stringify(ctype || null)} is not documented (documented: ` +
             `${Object.keys(response.content).join(", ")})`);
    return;
  }
  const media = response.content[key];
  let pointer = `${rpointer}/content/${pointerEscape(key)}/schema`;
  if (schemaPointer) pointer = schemaPointer;
  else if (!media.schema) return;
  let value = body ?? "";
  if (/json/.test(key)) {
    try {
      value = JSON.parse(value);
    } catch (e) {
      out.push(`body is not JSON: ${e.message}`);
      return;
    }
  }
  for (const e of schemaErrors(validatorAt(pointer), value)) out.push(`body ${e}`);
}

// The responses a status may come from: the operation's, or, for a method
// the path does not take, those of each of the path's operations.
function candidates(pathItem, template, ops, status) {
  const out = [];
  for (const m of ops) {
    const responses = pathItem[m].responses || {};
    const key = [String(status), `${String(status)[0]}XX`, "default"]
      .find((k) => responses[k] !== undefined);
    if (key === undefined) continue;
    const base = `/paths/${pointerEscape(template)}/${m}/responses/${pointerEscape(key)}`;
    out.push(deref(responses[key], base));
  }
  return out;
}

const PROBLEM = "/components/schemas/Problem";

function check(req) {
  const out = [];
  const status = req.status;
  const route = findPath(req.target);
  if (!route) {
    // "Any path not listed here answers 404 not_found."
    if (status !== 404) {
      out.push(`no documented path matches ${req.target.split("?")[0]}, and the reply is not 404`);
      return out;
    }
    if (req.method !== "HEAD") {
      checkBody({ content: { "application/problem+json": {} } }, "", req, out, PROBLEM);
      if (out.length === 0 && JSON.parse(req.body).code !== "not_found") {
        out.push(`an undocumented path's 404 has code ${JSON.parse(req.body).code}`);
      }
    }
    return out;
  }
  const pathItem = doc.paths[route.template];
  // Every GET answers HEAD too ("Every GET route also answers HEAD"): HEAD
  // is checked as its GET, without the body, and Allow lists it.
  const method = req.method === "HEAD" && !pathItem.head ? "get" : req.method.toLowerCase();
  const taken = METHODS.filter((m) => pathItem[m]);
  const documented = taken.includes(method);
  const ops = documented ? [method] : taken;
  if (!documented && status === 405) {
    const allow = (req.headers.allow || "").split(",").map((s) => s.trim()).filter(Boolean);
    const want = taken.flatMap((m) => (m === "get" && !pathItem.head ? ["GET", "HEAD"]
                                                                      : [m.toUpperCase()]));
    if (allow.slice().sort().join(",") !== want.slice().sort().join(",")) {
      out.push(`Allow is ${JSON.stringify(req.headers.allow ?? null)}, the path documents ` +
               `${want.join(", ")}`);
    }
  }
  const found = candidates(pathItem, route.template, ops, status);
  if (found.length === 0) {
    out.push(documented
      ? `status ${status} is not documented for ${req.method} ${route.template}`
      : `${req.method} is not documented for ${route.template} and status ${status} is not ` +
        `documented for its other methods (${taken.map((m) => m.toUpperCase()).join(", ")})`);
    return out;
  }
  // For a method the path does not take, any of its operations' replies
  // for the status will do; report the first one's violations otherwise.
  let first = null;
  for (const [response, rpointer] of found) {
    const mine = [];
    if (req.lenient && status >= 400) {
      if (req.method !== "HEAD") {
        checkBody({ content: { "application/problem+json": {} } }, "", req, mine, PROBLEM);
      }
    } else {
      checkHeaders(response, rpointer, req.headers, mine);
      checkBody(response, rpointer, req, mine);
    }
    if (mine.length === 0) return out;
    first = first || mine.map((v) => `${v} (documented at #${rpointer})`);
  }
  return out.concat(first);
}

// A value carried inside a reply (an event of a stream, say): checked
// against the schema at a JSON pointer of the document.
function checkValue(req) {
  return schemaErrors(validatorAt(req.schema), req.value);
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  let violations;
  try {
    const req = JSON.parse(line);
    violations = req.schema !== undefined ? checkValue(req) : check(req);
  } catch (e) {
    violations = [`the contract check failed: ${e.stack || e}`];
  }
  process.stdout.write(JSON.stringify({ violations }) + "\n");
});
