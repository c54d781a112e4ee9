import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError } from '@klp/config';
import { AppModule } from './app.module';
import { loadApiConfig } from './config';
import { configureHttp } from './http-setup';
import { serveDashboard } from './dashboard-static';

async function bootstrap(): Promise<void> {
  const config = loadApiConfig(process.env);
  const app = await NestFactory.create(AppModule.forConfig(config), {
    bodyParser: false,
    logger: config.LOG_LEVEL === 'silent' ? false : ['error', 'warn', 'log'],
  });
  configureHttp(app, { rateLimit: config.KLP_RATE_LIMIT });
  serveDashboard(app, config);
  app.enableShutdownHooks();
  await app.listen(config.PORT, config.HOST);
  console.log(`klp-api listening on http://${config.HOST}:${config.PORT}`);
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
