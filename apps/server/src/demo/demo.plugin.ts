import { Controller, Get, Inject } from '@nestjs/common';
import { CORE_VERSION, ObrolPlugin } from '@obrol/core';

/** Where a person plays a customer of the demo channel; filled once the demo simulator listens. */
export interface DemoInfo {
  /** The customer page as OBROL_PUBLIC_URL's host reaches it. */
  customerPageUrl: string | null;
  /** Its port, so a browser can reach it on the host it loaded the inbox from. */
  customerPagePort: number | null;
}

const DEMO_INFO = Symbol('obrol.demo-info');

@Controller('api/v1/demo')
class DemoController {
  constructor(@Inject(DEMO_INFO) private readonly info: DemoInfo) {}

  /** The demo's customer page, while the demo channel runs; nulls otherwise. */
  @Get()
  get(): DemoInfo {
    return { customerPageUrl: this.info.customerPageUrl, customerPagePort: this.info.customerPagePort };
  }
}

/** Serves what the inbox needs to offer "Try it as a customer" while the demo channel runs. */
@ObrolPlugin({ compatibility: `^${CORE_VERSION}`, controllers: [DemoController] })
export class DemoPlugin {
  static init(info: DemoInfo) {
    return { module: DemoPlugin, providers: [{ provide: DEMO_INFO, useValue: info }] };
  }
}
