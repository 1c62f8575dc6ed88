// Go's encoding/json output for Kruise's SidecarContainer struct (corev1.Container plus the sidecar
// fields), from the JSON-decoded object we received. Field order and omitempty come from
// src/api/generated/go-json-layout.json, which scripts/generate-go-json-layout.ts derives from
// k8s.io/api by reflection; the Kruise-only fields are added below. "Decoding" here means reading
// the object the way Go's decoder would fill the struct: unknown keys are dropped, null and
// mistyped values become the zero value instead of an error (validation rejects those earlier).
import layoutDocument from './api/generated/go-json-layout.json' with { type: 'json' };
import { compareGoStrings } from './go-order.ts';
import { goFloat64, goInteger, goJsonString, isZeroInteger } from './go-json.ts';
import { isJsonObject } from './json-object.ts';
import { encodeQuantity } from './quantity.ts';

// Layout model


type Kind = 'string' | 'bool' | 'int' | 'uint' | 'float' | 'ptr' | 'slice' | 'map' | 'struct' | 'quantity' | 'intorstring';

interface TypeRef {
  kind: Kind;
  bits?: number;
  type?: string;
  key?: TypeRef;
  elem?: TypeRef;
}

interface FieldLayout extends TypeRef {
  name: string;
  omitempty: boolean;
}

interface GoJsonLayout {
  source: string;
  root: string;
  types: Record<string, FieldLayout[]>;
}

const layout = layoutDocument as unknown as GoJsonLayout;

const str = (name: string, omitempty = true): FieldLayout => ({ name, omitempty, kind: 'string' });
const ptrTo = (name: string, type: string): FieldLayout => ({ name, omitempty: true, kind: 'ptr', elem: { kind: 'struct', type } });

// OpenKruise's SidecarContainer: corev1.Container inlined, then these fields (apps.kruise.io
// v1alpha1/v1beta1 sidecarset_types.go). A struct-valued field is emitted even with omitempty.
const KRUISE_EXTRA_FIELDS: FieldLayout[] = [
  str('podInjectPolicy'),
  { name: 'upgradeStrategy', omitempty: true, kind: 'struct', type: 'kruise.SidecarContainerUpgradeStrategy' },
  { name: 'shareVolumePolicy', omitempty: true, kind: 'struct', type: 'kruise.ShareVolumePolicy' },
  ptrTo('shareVolumeDevicePolicy', 'kruise.ShareVolumePolicy'),
  { name: 'transferEnv', omitempty: true, kind: 'slice', elem: { kind: 'struct', type: 'kruise.TransferEnvVar' } },
  ptrTo('resourcesPolicy', 'kruise.ResourcesPolicy'),
];

const SIDECAR_CONTAINER = 'kruise.SidecarContainer';

function kruiseTypes(container: FieldLayout[]): Record<string, FieldLayout[]> {
  const extraNames = new Set(KRUISE_EXTRA_FIELDS.map((f) => f.name));
  return {
    // encoding/json lets the shallower field win a name clash, so an inlined Container field
    // that a future k8s release might name like a Kruise field would be hidden, not duplicated.
    [SIDECAR_CONTAINER]: [...container.filter((f) => !extraNames.has(f.name)), ...KRUISE_EXTRA_FIELDS],
    'kruise.SidecarContainerUpgradeStrategy': [str('upgradeType'), str('hotUpgradeEmptyImage')],
    'kruise.ShareVolumePolicy': [str('type')],
    'kruise.TransferEnvVar': [
      str('sourceContainerName'),
      ptrTo('sourceContainerNameFrom', 'kruise.SourceContainerNameSource'),
      str('envName'),
      { name: 'envNames', omitempty: true, kind: 'slice', elem: { kind: 'string' } },
    ],
    'kruise.SourceContainerNameSource': [ptrTo('fieldRef', 'v1.ObjectFieldSelector')],
    'kruise.ResourcesPolicy': [
      str('targetContainersMode', false),
      str('targetContainersNameRegex'),
      { name: 'resourcesExpr', omitempty: false, kind: 'struct', type: 'kruise.ResourceExpr' },
    ],
    'kruise.ResourceExpr': [ptrTo('limits', 'kruise.ResourceExprValues'), ptrTo('requests', 'kruise.ResourceExprValues')],
    'kruise.ResourceExprValues': [str('cpu'), str('memory')],
  };
}

const TYPES: Record<string, FieldLayout[]> = { ...layout.types, ...kruiseTypes(layout.types[layout.root]) };

// Encoders compiled once per layout type


/** JSON text of a value that is present (not dropped by omitempty). */
type Encoder = (value: unknown) => string;
/** Whether omitempty drops the value; null for kinds it never drops (struct values). */
type EmptyTest = ((value: unknown) => boolean) | null;

interface CompiledField {
  name: string;
  /** `"name":` */
  key: string;
  encode: Encoder;
  isEmpty: EmptyTest;
}

function hasOwnKeys(v: Record<string, unknown>): boolean {
  for (const key in v) if (Object.hasOwn(v, key)) return true;
  return false;
}

const encodeString: Encoder = (v) => (typeof v === 'string' ? goJsonString(v) : '""');
const encodeBool: Encoder = (v) => (v === true ? 'true' : 'false');
// IntOrString: a JSON string stays a string, anything else is read as int32.
const encodeIntOrString: Encoder = (v) => (typeof v === 'string' ? goJsonString(v) : goInteger(v));

function emptyTest(ref: TypeRef): EmptyTest {
  switch (ref.kind) {
    case 'string': return (v) => typeof v !== 'string' || v.length === 0;
    case 'bool': return (v) => v !== true;
    case 'int':
    case 'uint': return isZeroInteger;
    case 'float': return (v) => typeof v !== 'number' || !Number.isFinite(v) || v === 0;
    case 'ptr': return (v) => v === null || v === undefined;
    case 'slice': return (v) => !Array.isArray(v) || v.length === 0;
    case 'map': return (v) => !isJsonObject(v) || !hasOwnKeys(v);
    case 'struct':
    case 'quantity':
    case 'intorstring': return null;
  }
}

/** A Go slice: null when absent, else its elements in order. */
function sliceEncoder(elem: Encoder): Encoder {
  return (v) => {
    if (!Array.isArray(v)) return 'null';
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + elem(v[i]);
    return `${out}]`;
  };
}

class LayoutCompiler {
  readonly types: Record<string, FieldLayout[]>;
  readonly structs = new Map<string, Encoder>();

  constructor(types: Record<string, FieldLayout[]>) {
    this.types = types;
  }

  encoder(ref: TypeRef): Encoder {
    switch (ref.kind) {
      case 'string': return encodeString;
      case 'bool': return encodeBool;
      case 'int':
      case 'uint': return goInteger;
      case 'float':
        // float32 prints its own shortest digits; nothing reachable from Container uses it today.
        if (ref.bits !== 64) throw new Error(`go-json-layout: float${ref.bits} is not supported`);
        return goFloat64;
      case 'quantity': return encodeQuantity;
      case 'intorstring': return encodeIntOrString;
      case 'ptr': {
        const elem = this.encoder(ref.elem as TypeRef);
        return (v) => (v === null || v === undefined ? 'null' : elem(v));
      }
      case 'slice': return sliceEncoder(this.encoder(ref.elem as TypeRef));
      case 'map': {
        if (ref.key?.kind !== 'string') throw new Error('go-json-layout: only string map keys are supported');
        const elem = this.encoder(ref.elem as TypeRef);
        return (v) => {
          if (!isJsonObject(v)) return 'null';
          const keys = Object.keys(v).sort(compareGoStrings);
          let out = '{';
          for (let i = 0; i < keys.length; i++) out += `${i === 0 ? '' : ','}${goJsonString(keys[i])}:${elem(v[keys[i]])}`;
          return `${out}}`;
        };
      }
      case 'struct': return this.struct(ref.type as string);
    }
    throw new Error(`go-json-layout: unknown kind ${(ref as TypeRef).kind}`);
  }

  /** The encoder of a named struct, built once; `overrides` replace field values (see withoutImage). */
  struct(name: string, overrides?: Record<string, unknown>): Encoder {
    const cacheKey = overrides === undefined ? name : undefined;
    const known = cacheKey === undefined ? undefined : this.structs.get(cacheKey);
    if (known !== undefined) return known;
    const layoutFields = this.types[name];
    if (layoutFields === undefined) throw new Error(`go-json-layout: no layout for ${name}`);
    let fields: CompiledField[] = [];
    let zero: string | undefined;
    const encode: Encoder = (v) => {
      // A missing or non-object struct value is the zero struct (Go decodes null as a no-op).
      if (!isJsonObject(v)) return zero ??= encodeFields(EMPTY);
      return encodeFields(v);
    };
    const encodeFields = (v: Record<string, unknown>): string => {
      let out = '';
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i];
        const x = v[f.name];
        if (f.isEmpty !== null && f.isEmpty(x)) continue;
        out += (out.length === 0 ? '{' : ',') + f.key + f.encode(x);
      }
      return out.length === 0 ? '{}' : `${out}}`;
    };
    // Registered before the fields are compiled, so recursive types resolve to this closure.
    if (cacheKey !== undefined) this.structs.set(cacheKey, encode);
    fields = layoutFields.map((f): CompiledField => {
      const inner = this.encoder(f);
      const innerEmpty = f.omitempty ? emptyTest(f) : null;
      if (overrides !== undefined && Object.hasOwn(overrides, f.name)) {
        const fixed = overrides[f.name];
        return { name: f.name, key: `${goJsonString(f.name)}:`, encode: () => inner(fixed), isEmpty: innerEmpty && (() => innerEmpty(fixed)) };
      }
      return { name: f.name, key: `${goJsonString(f.name)}:`, encode: inner, isEmpty: innerEmpty };
    });
    return encode;
  }
}

const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

const compiler = new LayoutCompiler(TYPES);
/** A []SidecarContainer, and the same with every image blanked (the without-image hash). */
export const sidecarContainerList = compiler.encoder({ kind: 'slice', elem: { kind: 'struct', type: SIDECAR_CONTAINER } });
export const sidecarContainerListWithoutImage = sliceEncoder(compiler.struct(SIDECAR_CONTAINER, { image: '' }));

/** Go's encoding/json output for one Kruise SidecarContainer (corev1.Container plus the sidecar fields). */
export function goMarshalSidecarContainer(container: unknown): string {
  return compiler.struct(SIDECAR_CONTAINER)(container);
}
