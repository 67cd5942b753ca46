/**
 * Error branding that survives duplicate installs.
 *
 * Two copies of ioreactor in one process (a dependency pinned at another version, say) have
 * distinct classes, so a plain `instanceof` check would fail across them. Every ioreactor error
 * carries a registry symbol naming its class; `instanceof` consults that brand instead of the
 * prototype chain, as undici does for its errors.
 */
const kErrorBrand = Symbol.for('ioreactor.error');

type Branded = { [kErrorBrand]?: ReadonlySet<string> };

/** Marks `instance` as an ioreactor error of class `name` (and of every class it extends). */
export function brandError(instance: object, name: string): void {
  const target = instance as Branded;
  const names = new Set(target[kErrorBrand] ?? []);
  names.add(name);
  Object.defineProperty(target, kErrorBrand, { value: names, enumerable: false, configurable: true });
}

/** Installs a brand-aware `instanceof` on `cls`, matching instances branded with `name`. */
export function defineBrand(cls: abstract new (...args: never[]) => object, name: string): void {
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      if (this !== cls) {
        // A subclass that did not define its own brand: fall back to the prototype chain.
        return Function.prototype[Symbol.hasInstance].call(this, value);
      }
      if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
      const names = (value as Branded)[kErrorBrand];
      return names !== undefined ? names.has(name) : Function.prototype[Symbol.hasInstance].call(cls, value);
    },
  });
}
