import type { PublicUser } from '../users/public-user.js';

/** A login's or a registration's result: the user and their new token. */
export interface Session {
  user: PublicUser;
  token: string;
}
