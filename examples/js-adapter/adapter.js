#!/usr/bin/env node
// A foreign implementation of part of vDLT in JavaScript, checked by the vdlt-spec conformance
// suite through the adapter protocol (docs/conformance.md):
//
//   vdlt conformance run --adapter "node examples/js-adapter/adapter.js"
//
// It reads one JSON request per line on stdin, {"id", "op", "input"}, and writes one JSON
// response per line on stdout, {"id", "output"} or {"id", "error": REASON}. It implements the
// class-of-service byte (Table II) and its reclassification (§III-A), the quorum rule, signer
// bitmaps, MuSig2 key aggregation and quorum certificates (§IV-D) over @noble/curves, an
// independent secp256k1 library, and BIP340 signing and verification with the library's own
// schnorr.sign and schnorr.verify.
// Every other operation is answered UNSUPPORTED_OPERATION, which the runner counts as unknown.
// Nothing here reads the reference spec: the rules are written from the docs.

import { createInterface } from "node:readline";
import { schnorr } from "@noble/curves/secp256k1.js";

const Point = schnorr.Point;
const { taggedHash } = schnorr.utils;
const CURVE_ORDER = Point.CURVE().n;

// An error that answers a request with a reason name.
class Refusal extends Error {
  constructor(reason) {
    super(reason);
    this.reason = reason;
  }
}
const refuse = (reason) => {
  throw new Refusal(reason);
};

// --- plain JSON fields (D-gen-2: bytes as hex, fractions as "p/q") ----------------------------

function int(value) {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) refuse("SCHEMA_VIOLATION");
  return value;
}

function bytes(value) {
  if (typeof value !== "string" || value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(value)) {
    refuse("SCHEMA_VIOLATION");
  }
  return Uint8Array.from(value.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

const hex = (data) => Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");

function fraction(value) {
  const match = typeof value === "string" ? /^(-?\d+)(?:\/(\d+))?$/.exec(value) : null;
  if (match === null || match[2] === "0") refuse("SCHEMA_VIOLATION");
  return [BigInt(match[1]), BigInt(match[2] ?? "1")];
}

function list(value, item) {
  if (!Array.isArray(value)) refuse("SCHEMA_VIOLATION");
  return value.map(item);
}

// --- class of service (§IV-A, Table II; §III-A) ------------------------------------------------

const CLASSES = [
  "SCAVENGER",
  "BEST_EFFORT",
  "PRIVATE",
  "MANAGEMENT_CONTROL",
  "LOW_COST",
  "STORAGE_INTENSIVE",
  "COMPUTATION_INTENSIVE",
  "FAST_CONFIRMATION",
];
const SCAVENGER = 0;
const BEST_EFFORT = 1;
const MANAGEMENT_CONTROL = 3;
const ROLES = new Set(["management_control", "execution"]);

function classify({ cos_byte: byte }) {
  const value = int(byte);
  if (value < 0 || value > 0xff) refuse("COS_BYTE_OUT_OF_RANGE");
  const bits = value >> 5;
  return { class: CLASSES[bits], class_bits: bits, reserved: value & 0x1f };
}

const isInteger = (value) => typeof value === "number" && Number.isInteger(value);

function encode(input) {
  const bits = input.class_bits;
  if (!isInteger(bits) || bits < 0 || bits > 7) refuse("UNKNOWN_CLASS");
  const reserved = "reserved" in input ? input.reserved : 0;
  if (!isInteger(reserved) || reserved < 0 || reserved > 0x1f) refuse("COS_BYTE_OUT_OF_RANGE");
  return { cos_byte: (bits << 5) | reserved };
}

// The default reclassification policy (D-cos-1 .. D-cos-4): trust below 1/2 goes to best
// effort, a banned sender to scavenger, 011 without the management/control role to best effort;
// the demotion floor is scavenger then best effort, every other class ranks above them.
const DEFAULT_POLICY = {
  minTrust: [1n, 2n],
  low: BEST_EFFORT,
  banned: SCAVENGER,
  unauthorised: BEST_EFFORT,
  restricted: [[MANAGEMENT_CONTROL, "management_control"]],
  floor: [SCAVENGER, BEST_EFFORT],
};

function fields(value, known) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    refuse("SCHEMA_VIOLATION");
  }
  if (Object.keys(value).some((key) => !known.includes(key))) refuse("SCHEMA_VIOLATION");
  return value;
}

function classBits(value) {
  if (!isInteger(value) || value < 0 || value > 7) refuse("SCHEMA_VIOLATION");
  return value;
}

function role(value) {
  if (!ROLES.has(value)) refuse("SCHEMA_VIOLATION");
  return value;
}

function trustOf(value) {
  const [p, q] = fraction(value);
  if (p < 0n || p > q) refuse("TRUST_OUT_OF_RANGE");
  return [p, q];
}

function unique(items) {
  if (new Set(items).size !== items.length) refuse("DUPLICATE_CLASS");
  return items;
}

function policyOf(value) {
  const given = fields(value ?? {}, [
    "min_trust",
    "low_trust_class",
    "banned_class",
    "unauthorised_class",
    "restricted",
    "demotion_floor",
  ]);
  const pick = (key, parse, fallback) => (key in given ? parse(given[key]) : fallback);
  const restricted = pick(
    "restricted",
    (items) =>
      list(items, (item) => {
        const r = fields(item, ["service_class", "required_role"]);
        return [classBits(r.service_class), role(r.required_role)];
      }),
    DEFAULT_POLICY.restricted,
  );
  unique(restricted.map(([bits]) => bits));
  return {
    minTrust: pick("min_trust", trustOf, DEFAULT_POLICY.minTrust),
    low: pick("low_trust_class", classBits, DEFAULT_POLICY.low),
    banned: pick("banned_class", classBits, DEFAULT_POLICY.banned),
    unauthorised: pick("unauthorised_class", classBits, DEFAULT_POLICY.unauthorised),
    restricted,
    floor: unique(pick("demotion_floor", (items) => list(items, classBits), DEFAULT_POLICY.floor)),
  };
}

// Demotion rank: the place in the floor, every other class above it (D-cos).
const rank = (policy, bits) => {
  const place = policy.floor.indexOf(bits);
  return place >= 0 ? place : policy.floor.length;
};

// The first rule that changes the class wins; a rule never applies when the declared class
// ranks below its target.
function effectiveClass(declared, [p, q], roles, banned, policy) {
  const required = new Map(policy.restricted);
  const [minP, minQ] = policy.minTrust;
  const rules = [
    [banned, policy.banned, "banned_sender"],
    [
      required.has(declared) && !roles.includes(required.get(declared)),
      policy.unauthorised,
      "unauthorised_class",
    ],
    [p * minQ < minP * q, policy.low, "low_trust"],
  ];
  for (const [applies, target, reason] of rules) {
    if (applies && target !== declared && rank(policy, target) <= rank(policy, declared)) {
      return [target, reason];
    }
  }
  return [declared, "declared"];
}

function reclassify(input) {
  const declared = int(input.declared);
  if (declared < 0 || declared > 7) refuse("UNKNOWN_CLASS");
  const trust = trustOf(input.trust);
  const roles = list(input.roles ?? [], (item) => (item === "banned" ? item : role(item)));
  const [effective, reason] = effectiveClass(
    declared,
    trust,
    roles,
    roles.includes("banned"),
    DEFAULT_POLICY,
  );
  return { effective: CLASSES[effective], reason };
}

function gcd(a, b) {
  return b === 0n ? a : gcd(b, a % b);
}

function transactionOf(value) {
  const tx = fields(value, ["id", "sender", "cos", "size", "arrival"]);
  for (const key of ["id", "sender", "cos", "size", "arrival"]) {
    if (!(key in tx)) refuse("SCHEMA_VIOLATION");
  }
  if (int(tx.id) < 0) refuse("BAD_TRANSACTION_ID");
  if (typeof tx.sender !== "string") refuse("SCHEMA_VIOLATION");
  if (tx.sender === "") refuse("BAD_SENDER");
  if (int(tx.cos) < 0 || tx.cos > 0xff) refuse("COS_BYTE_OUT_OF_RANGE");
  if (int(tx.size) <= 0) refuse("NON_POSITIVE_SIZE");
  const [p, q] = fraction(tx.arrival);
  if (p < 0n) refuse("NEGATIVE_TIME");
  const d = gcd(p, q);
  const arrival = q / d === 1n ? `${p / d}` : `${p / d}/${q / d}`;
  return { id: tx.id, sender: tx.sender, cos: tx.cos, size: tx.size, arrival };
}

function reclassifyTransaction(input) {
  const tx = transactionOf(input.transaction);
  const sender = fields(input.sender, ["trust", "roles", "banned"]);
  if (!("trust" in sender)) refuse("SCHEMA_VIOLATION");
  const trust = trustOf(sender.trust);
  const roles = list(sender.roles ?? [], role);
  const banned = sender.banned ?? false;
  if (typeof banned !== "boolean") refuse("SCHEMA_VIOLATION");
  const policy = policyOf(input.policy);
  const [effective, reason] = effectiveClass(tx.cos >> 5, trust, roles, banned, policy);
  return {
    transaction: { ...tx, cos: (effective << 5) | (tx.cos & 0x1f) },
    effective: CLASSES[effective],
    reason,
  };
}

// --- quorum rule and signer bitmaps (§IV-D) ---------------------------------------------------

function members(n) {
  if (int(n) < 1) refuse("ROSTER_EMPTY");
  return n;
}

// A quorum is more than two thirds: 3·count > 2n.
const isQuorum = (count, n) => 3 * count > 2 * n;
const bitmapLength = (n) => Math.ceil(members(n) / 8);

function quorumSize({ n }) {
  members(n);
  let quorum = 1;
  while (!isQuorum(quorum, n)) quorum += 1;
  let faulty = 0;
  while (3 * (faulty + 1) < n) faulty += 1;
  return { quorum, max_faulty: faulty };
}

function encodeBitmap(signers, n) {
  const bitmap = new Uint8Array(bitmapLength(n));
  for (const i of signers) {
    if (i < 0 || i >= n) refuse("SIGNER_OUTSIDE_ROSTER");
    if (bitmap[i >> 3] & (1 << (i & 7))) refuse("DUPLICATE_SIGNER");
    bitmap[i >> 3] |= 1 << (i & 7);
  }
  return bitmap;
}

function decodeBitmap(bitmap, n) {
  if (bitmap.length !== bitmapLength(n)) refuse("BITMAP_BAD_LENGTH");
  const signers = [];
  for (let i = 0; i < bitmap.length * 8; i += 1) {
    if (bitmap[i >> 3] & (1 << (i & 7))) {
      if (i >= n) refuse("BITMAP_PADDING_NONZERO");
      signers.push(i);
    }
  }
  return signers;
}

// --- roster keys and MuSig2 key aggregation (BIP327 KeyAgg, roster order, no sorting) ---------

function checkRoster(roster) {
  if (roster.length === 0) refuse("ROSTER_EMPTY");
  const seen = new Set();
  return roster.map((key) => {
    if (key.length !== 33 || (key[0] !== 2 && key[0] !== 3)) refuse("ROSTER_BAD_KEY");
    let point;
    try {
      point = Point.fromBytes(key);
    } catch {
      refuse("ROSTER_BAD_KEY");
    }
    if (seen.has(hex(key))) refuse("ROSTER_DUPLICATE_KEY");
    seen.add(hex(key));
    return point;
  });
}

const toInt = (data) => BigInt(`0x${hex(data) || "0"}`);

function keyAgg(keys) {
  const concatenated = new Uint8Array(keys.reduce((size, key) => size + key.length, 0));
  keys.reduce((offset, key) => (concatenated.set(key, offset), offset + key.length), 0);
  const list = taggedHash("KeyAgg list", concatenated);
  const second = keys.find((key) => hex(key) !== hex(keys[0]));
  let sum = Point.ZERO;
  for (const key of keys) {
    const coefficient =
      second !== undefined && hex(key) === hex(second)
        ? 1n
        : toInt(taggedHash("KeyAgg coefficient", list, key)) % CURVE_ORDER;
    sum = sum.add(Point.fromBytes(key).multiplyUnsafe(coefficient));
  }
  if (sum.is0()) refuse("INVALID_PUBKEY");
  return sum.toBytes(true).slice(1);
}

function aggregateKey(input) {
  const roster = list(input.roster, bytes);
  checkRoster(roster);
  const signers = list(input.signers, int);
  const bits = encodeBitmap(signers, roster.length);
  const chosen = decodeBitmap(bits, roster.length);
  if (chosen.length === 0) refuse("NO_SIGNERS");
  return { aggregate_key: hex(keyAgg(chosen.map((i) => roster[i]))) };
}

// --- BIP340 and quorum certificates -------------------------------------------------------------

function bip340Verify(input) {
  const pubkey = bytes(input.pubkey);
  const message = bytes(input.message);
  const signature = bytes(input.signature);
  if (pubkey.length !== 32 || signature.length !== 64) refuse("BAD_LENGTH");
  return { valid: schnorr.verify(signature, message, pubkey) };
}

// BIP340 signing with the library's schnorr.sign; the key range is checked here so that a
// refusal has the spec's reason.
function bip340Sign(input) {
  const secret = bytes(input.secret_key);
  const message = bytes(input.message);
  const auxRand = bytes(input.aux_rand);
  if (secret.length !== 32 || auxRand.length !== 32) refuse("BAD_LENGTH");
  const d = BigInt(`0x${hex(secret)}`);
  if (d === 0n || d >= CURVE_ORDER) refuse("BAD_SECRET_KEY");
  return {
    pubkey: hex(schnorr.getPublicKey(secret)),
    signature: hex(schnorr.sign(message, secret, auxRand)),
  };
}

function certificateVerify(input) {
  const roster = list(input.roster, bytes);
  const message = bytes(input.message);
  const certificate = bytes(input.certificate);
  const n = members(roster.length);
  const split = bitmapLength(n);
  if (certificate.length !== split + 64) refuse("CERTIFICATE_BAD_LENGTH");
  const signers = decodeBitmap(certificate.slice(0, split), n);
  if (!isQuorum(signers.length, n)) refuse("QUORUM_TOO_SMALL");
  checkRoster(roster);
  const key = keyAgg(signers.map((i) => roster[i]));
  if (!schnorr.verify(certificate.slice(split), message, key)) refuse("BAD_SIGNATURE");
  return { signers };
}

// --- the protocol -------------------------------------------------------------------------------

const OPERATIONS = {
  "cos.classify": classify,
  "cos.encode": encode,
  "cos.reclassify": reclassify,
  "cos.reclassify_transaction": reclassifyTransaction,
  "crypto.bip340_verify": bip340Verify,
  "crypto.bip340_sign": bip340Sign,
  "crypto.quorum_size": quorumSize,
  "crypto.bitmap_encode": (input) => ({
    bitmap: hex(encodeBitmap(list(input.signers, int), int(input.n))),
  }),
  "crypto.bitmap_decode": (input) => ({
    signers: decodeBitmap(bytes(input.bitmap), int(input.n)),
  }),
  "crypto.aggregate_key": aggregateKey,
  "crypto.certificate_verify": certificateVerify,
};

function answer(request) {
  const operation = OPERATIONS[request.op];
  if (operation === undefined) return { error: "UNSUPPORTED_OPERATION" };
  const input = request.input;
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return { error: "SCHEMA_VIOLATION" };
  }
  try {
    return { output: operation(input) };
  } catch (error) {
    if (error instanceof Refusal) return { error: error.reason };
    throw error;
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === "") continue;
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    process.stdout.write(`${JSON.stringify({ id: null, error: "MALFORMED_JSON" })}\n`);
    continue;
  }
  process.stdout.write(`${JSON.stringify({ id: request.id, ...answer(request) })}\n`);
}
