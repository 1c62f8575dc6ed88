// Why a Pod cannot be injected. Kruise turns these into a refused Pod creation (spec Part B §4).

export class InjectionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InjectionError';
  }
}
