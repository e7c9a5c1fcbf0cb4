import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { webhookDeliveryDetailSchema, webhookDeliveryViewSchema, webhookEndpointViewSchema, webhookEventCatalogue } from '@obrol/contracts';
import { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { type Principal, assertAdmin } from '../auth/principal.js';
import { ApiErrors, ApiJsonBody, ApiOk, ApiQueryFrom } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { OutboundWebhooksService, createEndpointSchema, deliveryQuerySchema, updateEndpointSchema } from './outbound-webhooks.service.js';

const secretSchema = z.string().describe('the signing secret, shown only in this answer');

/** Outbound webhooks: endpoints that back-end systems register to hear about events, and their deliveries. Admins only. */
@ApiTags('webhooks (outbound)')
@ApiBearerAuth()
@Controller('api/v1')
export class OutboundWebhooksController {
  constructor(private readonly webhooks: OutboundWebhooksService) {}

  /** The events an endpoint can subscribe to. */
  @Get('webhook-events')
  @ApiOk(z.object({ data: z.array(z.object({ type: z.string(), description: z.string() })) }))
  @ApiErrors(401, 403)
  events(@CurrentPrincipal() principal: Principal) {
    assertAdmin(principal);
    return { data: webhookEventCatalogue() };
  }

  @Get('webhook-endpoints')
  @ApiOk(z.object({ data: z.array(webhookEndpointViewSchema) }))
  @ApiErrors(401, 403)
  async list(@CurrentPrincipal() principal: Principal) {
    return { data: await this.webhooks.list(principal) };
  }

  /** Registers an endpoint; the answer carries its signing secret, this once. */
  @Post('webhook-endpoints')
  @ApiJsonBody(createEndpointSchema)
  @ApiOk(webhookEndpointViewSchema.extend({ secret: secretSchema }), 201)
  @ApiErrors(400, 401, 403, 422)
  create(@CurrentPrincipal() principal: Principal, @Body(validate(createEndpointSchema)) body: z.infer<typeof createEndpointSchema>) {
    return this.webhooks.create(principal, body);
  }

  @Get('webhook-endpoints/:id')
  @ApiOk(webhookEndpointViewSchema)
  @ApiErrors(401, 403, 404)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.webhooks.get(principal, id);
  }

  @Patch('webhook-endpoints/:id')
  @ApiJsonBody(updateEndpointSchema)
  @ApiOk(webhookEndpointViewSchema)
  @ApiErrors(400, 401, 403, 404, 422)
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body(validate(updateEndpointSchema)) body: z.infer<typeof updateEndpointSchema>) {
    return this.webhooks.update(principal, id, body);
  }

  @Delete('webhook-endpoints/:id')
  @HttpCode(204)
  @ApiErrors(401, 403, 404)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.webhooks.remove(principal, id);
  }

  /** Replaces the signing secret at once; the answer carries the new one, this once. */
  @Post('webhook-endpoints/:id/rotate-secret')
  @HttpCode(200)
  @ApiOk(z.object({ secret: secretSchema }))
  @ApiErrors(401, 403, 404)
  rotateSecret(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.webhooks.rotateSecret(principal, id);
  }

  /** Sends a signed `ping` event now, once, and answers with the delivery (did the receiver accept it?). */
  @Post('webhook-endpoints/:id/test')
  @HttpCode(200)
  @ApiOk(webhookDeliveryViewSchema)
  @ApiErrors(401, 403, 404)
  test(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.webhooks.test(principal, id);
  }

  /** The endpoint's deliveries, newest first. */
  @Get('webhook-endpoints/:id/deliveries')
  @ApiQueryFrom(deliveryQuerySchema)
  @ApiOk(z.object({ data: z.array(webhookDeliveryViewSchema), nextCursor: z.string().nullable() }))
  @ApiErrors(400, 401, 403, 404)
  deliveries(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query(validate(deliveryQuerySchema, 'query')) query: z.infer<typeof deliveryQuerySchema>) {
    return this.webhooks.deliveries(principal, id, query);
  }

  /** One delivery with the payload it carries. */
  @Get('webhook-deliveries/:id')
  @ApiOk(webhookDeliveryDetailSchema)
  @ApiErrors(401, 403, 404)
  delivery(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.webhooks.delivery(principal, id);
  }

  /** Sends the delivery again now (after a success or a final failure too) and answers with the outcome. */
  @Post('webhook-deliveries/:id/replay')
  @HttpCode(200)
  @ApiOk(webhookDeliveryDetailSchema)
  @ApiErrors(401, 403, 404, 409)
  replay(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.webhooks.replay(principal, id);
  }
}
