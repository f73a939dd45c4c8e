import { actionQueueName, chatQueueName, QUEUE_NAMES } from './names';

// The names are on the wire (jobs wait in Redis under them): a rename strands a running
// installation's jobs, so this pins them.
test('queue names stay what running installations already use', () => {
  expect(QUEUE_NAMES).toEqual({
    cardEvents: 'incident-events',
    actionResults: 'action-results',
    remediationTriggers: 'remediation-triggers',
  });
  expect(actionQueueName('paris')).toBe('actions-paris');
  expect(chatQueueName('teams')).toBe('chat-teams');
});
