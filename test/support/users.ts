/**
 * The one password table of the tests: the people of the browser stories and their passwords.
 * Each password is of its own length, so no two people's masked fields look alike.
 */
export const PASSWORDS = {
  alice: 'alice-password-1',
  bob: 'bob-password-22',
  carol: 'carol-password-333',
  dave: 'dave-password-4444',
  erin: 'erin-password-55555',
} as const;

export type Person = keyof typeof PASSWORDS;

/** Creates these people (in this order, so their ids follow it) with their passwords. */
export async function createPeople(
  app: { createUser(username: string, password: string): Promise<void> },
  names: readonly Person[],
): Promise<void> {
  for (const name of names) await app.createUser(name, PASSWORDS[name]);
}
