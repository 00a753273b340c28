// Render /api/v1/openapi.json and /api/v1/asyncapi.json as a navigable reference (no external assets).
"use strict";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// DOM append() does not flatten arrays: every list of nodes goes through here.
const add = (parent, ...children) => parent.append(...children.flat(Infinity).filter((c) => c !== "" && c != null));
const refName = (ref) => ref.split("/").pop();
const anchor = (prefix, name) => `${prefix}-${name}`.replace(/[^A-Za-z0-9_.-]/g, "_");

function typeOf(schema, prefix) {
  if (!schema) return el("span", {class: "type"}, "any");
  if (schema.$ref) return el("a", {href: "#" + anchor(prefix, refName(schema.$ref))}, refName(schema.$ref));
  for (const key of ["oneOf", "anyOf", "allOf"]) {
    if (schema[key]) {
      const parts = schema[key].map((s) => typeOf(s, prefix));
      return el("span", {}, parts.flatMap((p, i) => (i ? [key === "allOf" ? " & " : " | ", p] : [p])));
    }
  }
  let type = Array.isArray(schema.type) ? schema.type.join(" | ") : (schema.type || "any");
  if (schema.type === "array" || (Array.isArray(schema.type) && schema.type.includes("array"))) {
    return el("span", {}, el("span", {class: "type"}, "array of "), typeOf(schema.items, prefix));
  }
  if (schema.format) type += ` (${schema.format})`;
  return el("span", {class: "type"}, type);
}

function rules(schema) {
  if (!schema) return "";
  const out = [];
  if (schema.enum) out.push("one of: " + schema.enum.map((v) => JSON.stringify(v)).join(", "));
  if ("const" in schema) out.push("always " + JSON.stringify(schema.const));
  for (const key of ["minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "pattern"]) {
    if (key in schema) out.push(`${key} ${schema[key]}`);
  }
  if ("default" in schema && schema.default !== null) out.push("default " + JSON.stringify(schema.default));
  if (schema.additionalProperties === false) out.push("no other fields");
  if (schema.description) out.push(schema.description);
  return out.join("; ");
}

function schemaView(schema, prefix) {
  if (!schema || !schema.properties) {
    return el("p", {}, typeOf(schema, prefix), " ", el("span", {class: "muted"}, rules(schema)));
  }
  const required = new Set(schema.required || []);
  const rows = Object.entries(schema.properties).map(([name, prop]) => el("tr", {},
    el("td", {}, el("code", {}, name), required.has(name) ? el("span", {class: "req"}, " required") : ""),
    el("td", {}, typeOf(prop, prefix), prop.properties ? el("div", {class: "nested"}, schemaView(prop, prefix)) : ""),
    el("td", {class: "muted"}, rules(prop))));
  const head = el("tr", {}, el("th", {}, "field"), el("th", {}, "type"), el("th", {}, "rules"));
  return el("div", {}, el("table", {}, head, rows), schema.additionalProperties === false
    ? el("p", {class: "muted"}, "No other fields.") : "");
}

function operationView(path, method, op) {
  const params = (op.parameters || []).map((p) => el("tr", {}, el("td", {}, el("code", {}, p.name)),
    el("td", {}, p.in), el("td", {}, typeOf(p.schema, "schema")), el("td", {}, p.required ? "yes" : "no"),
    el("td", {class: "muted"}, rules(p.schema))));
  const body = op.requestBody ? Object.entries(op.requestBody.content).map(([type, media]) =>
    el("div", {}, el("h4", {}, "Body ", el("code", {}, type)), schemaView(media.schema, "schema"))) : [];
  const responses = Object.entries(op.responses).map(([status, answer]) => el("div", {},
    el("h4", {}, el("span", {class: "status " + (status < 400 ? "ok" : "err")}, status), " ", answer.description),
    Object.entries(answer.content || {}).map(([type, media]) =>
      el("div", {class: "nested"}, el("code", {class: "muted"}, type), schemaView(media.schema, "schema")))));
  const auth = (op.security || []).length ? (op.security.some((s) => !Object.keys(s).length)
    ? "Bearer token optional" : "Bearer token required") : "No authentication";
  return el("section", {class: "op", id: anchor("op", op.operationId)},
    el("h3", {class: "title"}, el("span", {class: "method " + method}, method.toUpperCase()), path),
    el("p", {}, op.summary), op.description ? el("p", {class: "muted"}, op.description) : "",
    el("p", {class: "muted"}, auth),
    params.length ? el("table", {}, el("tr", {}, ["name", "in", "type", "required", "rules"]
      .map((h) => el("th", {}, h))), params) : "",
    body, el("h4", {}, "Responses"), responses);
}

function eventView(message, direction) {
  return el("section", {class: "event", id: anchor("event", message.name)},
    el("h3", {class: "title"}, el("span", {class: "method " + direction}, direction), message.name),
    el("p", {}, message.summary || ""), el("h4", {}, "Payload"), schemaView(message.payload, "async"),
    message["x-ack"] ? [el("h4", {}, "Acknowledgement"), schemaView(message["x-ack"], "async")] : "");
}

function schemasPart(title, schemas, prefix) {
  return [el("h2", {class: "part", id: prefix}, title), Object.entries(schemas).map(([name, schema]) =>
    el("section", {class: "schema", id: anchor(prefix, name)}, el("h3", {class: "title"}, name),
      schema.description ? el("p", {class: "muted"}, schema.description) : "", schemaView(schema, prefix)))];
}

function navList(title, items) {
  return [el("h3", {}, title), el("ul", {}, items.map(([href, text]) => el("li", {}, el("a", {href}, text))))];
}

function render(openapi, asyncapi) {
  const main = document.getElementById("main");
  const nav = document.getElementById("nav");
  main.replaceChildren(el("p", {}, openapi.info.description));
  nav.replaceChildren(el("h2", {}, "REST"));
  for (const tag of openapi.tags.map((t) => t.name)) {
    const ops = Object.entries(openapi.paths).flatMap(([path, item]) => Object.entries(item)
      .filter(([, op]) => (op.tags || []).includes(tag)).map(([method, op]) => [path, method, op]));
    add(main, el("h2", {class: "part", id: anchor("tag", tag)}, "REST: " + tag),
      ops.map(([path, method, op]) => operationView(path, method, op)));
    add(nav, navList(tag, ops.map(([path, method, op]) =>
      ["#" + anchor("op", op.operationId), `${method.toUpperCase()} ${path}`])));
  }
  const messages = asyncapi.components.messages;
  const emitted = new Set(), received = new Set();
  for (const channel of Object.values(asyncapi.channels)) {
    channel.publish.message.oneOf.forEach((m) => emitted.add(refName(m.$ref)));
    channel.subscribe.message.oneOf.forEach((m) => received.add(refName(m.$ref)));
  }
  add(main, el("h2", {class: "part", id: "socket"}, "Socket.IO"), el("p", {}, asyncapi.info.description),
    el("p", {}, "Namespaces: ", Object.keys(asyncapi.channels).map((ns) => el("code", {}, ns + " "))));
  for (const [direction, keys] of [["emit", emitted], ["receive", received]]) {
    const sorted = [...keys].sort();
    add(main, sorted.map((key) => eventView(messages[key], direction)));
    add(nav, navList(direction === "emit" ? "Socket: client emits" : "Socket: client receives",
      sorted.map((key) => ["#" + anchor("event", messages[key].name), messages[key].name])));
  }
  add(main, schemasPart("REST schemas", openapi.components.schemas, "schema"),
    schemasPart("Socket.IO schemas", asyncapi.components.schemas, "async"));
  add(nav, navList("Schemas", [["#schema", "REST schemas"], ["#async", "Socket.IO schemas"]]));
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

Promise.all(["/api/v1/openapi.json", "/api/v1/asyncapi.json"].map((url) => fetch(url).then((r) => r.json())))
  .then(([openapi, asyncapi]) => render(openapi, asyncapi))
  .catch((err) => document.getElementById("main").replaceChildren(el("p", {}, "Could not load: " + err)));
