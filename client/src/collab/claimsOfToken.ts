import { tokenClaimsSchema, type Role } from '@nomades/shared';

export interface VisibleClaims {
  /** Identity (`sub`). */
  id: string;
  name: string;
  role: Role;
}

/**
 * Reads the claims of a room token without verifying it (the server verifies; the client only
 * needs to know under which identity and name it appears). Throws if the token is not a JWT with
 * the expected claims.
 */
export function claimsOfToken(token: string): VisibleClaims {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
  const claims = tokenClaimsSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
  return { id: claims.sub, name: claims.name, role: claims.role };
}
