import type { DynamicModule } from '@nestjs/common';
import {
  type ConfigFactory,
  type ConfigFactoryKeyHost,
  ConfigModule,
  registerAs,
} from '@nestjs/config';
import { type Env, type EnvironmentVariables, validateEnvironment } from './environment.js';

/** What `registerAs` returns: a factory for ConfigModule and the KEY to inject it by. */
type Registered<T> = (() => T) & ConfigFactoryKeyHost<T>;

export type FeatureConfig<T> = Registered<T> & {
  /** The slice built from an environment validated beforehand. */
  build(env: EnvironmentVariables): T;
  /** The same, for ConfigModule: registered under the same KEY. */
  of(env: EnvironmentVariables): Registered<T>;
};

/**
 * A feature's slice of the configuration, declared in the feature's folder (auth.config.ts, ...)
 * and injected with `@Inject(authConfig.KEY) config: ConfigType<typeof authConfig>`. Called as
 * is, it reads process.env like any `registerAs` factory. `configModule(env, ...)` registers
 * `of(env)` instead, under the same KEY: the factories take no argument, and this is how a test
 * starts the app on an environment of its own without writing it into process.env.
 */
export function featureConfig<T extends object>(
  token: string,
  build: (env: EnvironmentVariables) => T,
): FeatureConfig<T> {
  const of = (env: EnvironmentVariables) => registerAs(token, () => build(env));
  return Object.assign(
    registerAs(token, () => build(validateEnvironment(process.env))),
    { build, of },
  );
}

/**
 * @nestjs/config's ConfigModule, global, holding `features`' slices built from `env` (process.env
 * when the server or the CLI starts; a test's own object in the e2e tests).
 *
 * `env` is validated here, when the module is declared, so a wrong variable stops the start
 * before anything opens. Not through forRoot's `validate` option: that one sees only process.env
 * (and a .env file), and copies what it returns into process.env, where a test's environment
 * must not leak into the next test's.
 */
export function configModule(
  env: Env,
  features: ReadonlyArray<{ of(env: EnvironmentVariables): ConfigFactory }>,
): Promise<DynamicModule> {
  const valid = validateEnvironment(env);
  return ConfigModule.forRoot({
    isGlobal: true,
    // As before: the environment only, never a .env file.
    ignoreEnvFile: true,
    // ConfigService answers from the slices alone, not from a process.env beside a test's env.
    skipProcessEnv: true,
    load: features.map((feature) => feature.of(valid)),
  });
}
