import { Controller, Get, HttpCode, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { Public } from '../auth/auth.guard';
import { probe, type DependencyStatus } from './dependency-probe';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness';

@Controller('health')
@Public()
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  /** The process is up and its event loop turns; says nothing about dependencies. */
  @Get('live')
  @HttpCode(HttpStatus.OK)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when every dependency answers, else 503 naming the ones that do not. */
  @Get('ready')
  async ready(): Promise<{ status: 'ready'; dependencies: DependencyStatus[] }> {
    const dependencies = await Promise.all(this.checks.map((check) => probe(check.name, check.run, 1500)));
    if (dependencies.every((dependency) => dependency.ok)) return { status: 'ready', dependencies };
    throw new HttpException({ status: 'unavailable', dependencies }, HttpStatus.SERVICE_UNAVAILABLE);
  }
}
