/** A user as the rest of the server sees one: never the password hash. */
export interface PublicUser {
  id: number;
  username: string;
  /** Tokens carry it; a token with an older version is refused. */
  tokenVersion: number;
}
