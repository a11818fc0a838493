// `npm run user -- ...`: see user-command.ts.
import { HttpException } from '@nestjs/common';
import { runUserCommand, UsageError } from './user-command.js';

runUserCommand(process.argv.slice(2)).then(
  (output) => {
    if (output) console.log(output);
  },
  (error: unknown) => {
    console.error(
      error instanceof HttpException || error instanceof UsageError ? error.message : error,
    );
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
