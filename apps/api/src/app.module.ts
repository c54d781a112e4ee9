import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { AuditController } from './audit/audit.controller';
import { AuditResolver } from './audit/audit.resolver';
import { AuditService } from './audit/audit.service';
import { AuthGuard, TOKEN_REGISTRY } from './auth/auth.guard';
import { TokenRegistry } from './auth/token-registry';
import { CommandBus } from './commands/command-bus';
import { CommandsController } from './commands/commands.controller';
import { CommandsService } from './commands/commands.service';
import { OutcomeStore } from './commands/outcome-store';
import { SettlementListener } from './commands/settlement-listener';
import { API_CONFIG, type ApiConfig } from './config';
import { CommandsResolver } from './graphql/commands.resolver';
import { graphqlContext, graphqlWsOptions } from './graphql/context';
import { badInputStatusPlugin, formatGraphQLError } from './graphql/errors';
import { SubscriptionsResolver } from './graphql/subscriptions.resolver';
import { QueriesResolver } from './graphql/queries.resolver';
import { HealthController } from './health/health.controller';
import { InfrastructureModule } from './infrastructure.module';
import { FleetController } from './reads/fleet.controller';
import { HostsController } from './reads/hosts.controller';
import { StreamController } from './stream/stream.controller';

@Module({})
export class AppModule {
  static forConfig(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        InfrastructureModule,
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          playground: false,
          introspection: true,
          includeStacktraceInErrorResponses: false,
          formatError: formatGraphQLError,
          plugins: [badInputStatusPlugin],
          // Nest resets execution errors to 200 by default; bad input must stay 400 like REST.
          preserveHttpStatusForExecutionErrors: false,
          context: graphqlContext,
          subscriptions: { 'graphql-ws': graphqlWsOptions },
        }),
      ],
      controllers: [
        HealthController,
        CommandsController,
        HostsController,
        FleetController,
        AuditController,
        StreamController,
      ],
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: TOKEN_REGISTRY, useValue: new TokenRegistry(config.KLP_TOKENS) },
        { provide: APP_GUARD, useClass: AuthGuard },
        CommandBus,
        CommandsService,
        OutcomeStore,
        SettlementListener,
        // The resolvers call the REST controllers, so both protocols share checks and queries.
        HostsController,
        FleetController,
        QueriesResolver,
        CommandsResolver,
        SubscriptionsResolver,
        AuditService,
        AuditResolver,
      ],
      exports: [API_CONFIG],
    };
  }
}
