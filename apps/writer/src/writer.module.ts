import { Module } from '@nestjs/common';
import { ReconcilerModule } from '@service-replicator/reconciler/reconciler.module';
import { ReplicatorRedisModule } from '@service-replicator/replication-queue';

/** The writer: the reconcile queue's worker on a worker connection, and what its passes need. */
@Module({ imports: [ReplicatorRedisModule.forApp('writer', { queueRole: 'worker' }), ReconcilerModule] })
export class WriterModule {}
