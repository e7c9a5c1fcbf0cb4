import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors, ApiOk, ApiQueryFrom } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { TagsService, tagsInUseQuerySchema, tagsInUseSchema } from './tags.service.js';

@ApiTags('tags')
@ApiBearerAuth()
@Controller('api/v1/tags')
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  /** Tags in use on conversations and contacts, most used first: suggestions for tagging and filtering. */
  @Get()
  @ApiQueryFrom(tagsInUseQuerySchema)
  @ApiOk(tagsInUseSchema)
  @ApiErrors(400, 401)
  async list(@CurrentPrincipal() principal: Principal, @Query(validate(tagsInUseQuerySchema, 'query')) query: z.infer<typeof tagsInUseQuerySchema>) {
    return { items: await this.tags.inUse(principal, query) };
  }
}
