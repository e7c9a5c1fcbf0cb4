import { type CanActivate, type ExecutionContext, Injectable, SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExtension } from '@nestjs/swagger';
import { AuthService } from './auth.service.js';
import { type ApiKeyScope, type Principal, assertScope } from './principal.js';

const PUBLIC = 'obrol:public';

/** Marks a route that needs no token (login, health, provider webhooks). */
export const Public = () => SetMetadata(PUBLIC, true);

const SCOPE = 'obrol:api-key-scope';

/** The API-key scope a route needs instead of the default (GET: `read`, other methods: every scope); shown in OpenAPI. */
export const RequiresScope = (scope: ApiKeyScope) => applyDecorators(SetMetadata(SCOPE, scope), ApiExtension('x-obrol-api-key-scope', scope));

interface AuthedRequest {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** Every route needs a bearer token unless it is `@Public()`. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    request.principal = await this.auth.authenticate(bearerToken(request.headers.authorization));
    const declared = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(SCOPE, [context.getHandler(), context.getClass()]);
    assertScope(request.principal, declared ?? (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'all'));
    return true;
  }
}

/** The authenticated caller of this request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
