import { Injectable } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';

/**
 * The announcement channel as a watcher sees it. Pub/sub keeps nothing for a subscriber that is
 * away: whatever was announced while a watcher's subscription was reconnecting (a Redis failover)
 * is lost, so a watcher reads the published state again each time it has subscribed again.
 */
@Injectable()
export class AnnouncementChannel {
  private readonly resubscribed = new Subject<void>();

  /** Emits each time the subscription is back after being lost (not at the first connection). */
  get resubscribed$(): Observable<void> {
    return this.resubscribed.asObservable();
  }

  /** Called by the app's bootstrap (runApp) when its announcement server reconnects. */
  markResubscribed(): void {
    this.resubscribed.next();
  }
}
