import { ApiProperty } from '@nestjs/swagger';

/** The success bodies of the auth routes, for the OpenAPI document (auth.controller.ts). */
class SessionUser {
  @ApiProperty({ example: 1 })
  id: number;

  @ApiProperty({ example: 'alice' })
  username: string;
}

export class SessionResponse {
  @ApiProperty({ enum: [1], example: 1 })
  status: 1;

  @ApiProperty({ type: SessionUser })
  data: SessionUser;

  @ApiProperty({ description: 'The JWT, as in the Authorization response header.' })
  token: string;
}

export class UserinfoResponse {
  @ApiProperty({ enum: [1], example: 1 })
  status: 1;

  @ApiProperty({ example: 'alice' })
  username: string;
}

export class DoneResponse {
  @ApiProperty({ enum: [1], example: 1 })
  status: 1;
}

class Settings {
  @ApiProperty({ description: 'false when REGISTRATION=off' })
  registration: boolean;
}

export class SettingsResponse {
  @ApiProperty({ enum: [1], example: 1 })
  status: 1;

  @ApiProperty({ type: Settings })
  data: Settings;
}
