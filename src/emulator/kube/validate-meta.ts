import type { JsonObject } from './json.ts';
import { isObject, objectAt } from './json.ts';
import type { StatusCause } from './status.ts';
import { fieldInvalid, fieldRequired } from './status.ts';
import { dns1123Label, dns1123Subdomain, labelValue, qualifiedName } from './validate-names.ts';

/**
 * Object metadata checks every kind shares: the name format (namespaces are DNS labels, the rest
 * subdomains), label keys and values, annotation keys and size.
 */
export function validateMetadata(obj: JsonObject, nameFormat: 'label' | 'subdomain'): StatusCause[] {
  const meta = objectAt(obj, 'metadata');
  const causes: StatusCause[] = [];
  const name = meta['name'];
  if (typeof name !== 'string' || name === '') {
    causes.push(fieldRequired('metadata.name', 'name or generateName is required'));
  } else {
    for (const why of nameFormat === 'label' ? dns1123Label(name) : dns1123Subdomain(name)) {
      causes.push(fieldInvalid('metadata.name', name, why));
    }
  }
  const labels = meta['labels'];
  if (labels !== undefined && labels !== null) {
    if (!isObject(labels)) causes.push(fieldInvalid('metadata.labels', labels, 'must be a map of strings'));
    else {
      for (const [k, v] of Object.entries(labels)) {
        for (const why of qualifiedName(k)) causes.push(fieldInvalid('metadata.labels', k, why));
        if (typeof v !== 'string') causes.push(fieldInvalid(`metadata.labels`, v, 'label values must be strings'));
        else for (const why of labelValue(v)) causes.push(fieldInvalid('metadata.labels', v, why));
      }
    }
  }
  const annotations = meta['annotations'];
  if (annotations !== undefined && annotations !== null) {
    if (!isObject(annotations))
      causes.push(fieldInvalid('metadata.annotations', annotations, 'must be a map of strings'));
    else {
      let size = 0;
      for (const [k, v] of Object.entries(annotations)) {
        for (const why of qualifiedName(k.toLowerCase())) causes.push(fieldInvalid('metadata.annotations', k, why));
        if (typeof v !== 'string')
          causes.push(fieldInvalid(`metadata.annotations`, v, 'annotation values must be strings'));
        size += k.length + (typeof v === 'string' ? v.length : 0);
      }
      if (size > 256 * 1024) {
        causes.push({
          reason: 'FieldValueTooLong',
          field: 'metadata.annotations',
          message: `Too long: may not be more than 262144 bytes`,
        });
      }
    }
  }
  const finalizers = meta['finalizers'];
  if (Array.isArray(finalizers)) {
    finalizers.forEach((f, i) => {
      if (typeof f !== 'string') causes.push(fieldInvalid(`metadata.finalizers[${i}]`, f, 'must be a string'));
      else for (const why of qualifiedName(f)) causes.push(fieldInvalid(`metadata.finalizers[${i}]`, f, why));
    });
  }
  return causes;
}
