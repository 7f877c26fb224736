import type { Handlers } from '../router'
import type { HandlerServices } from './index'

/** The assistant panel's channels; all the work is in `AiService` (electron/main/ai/). */
export function aiHandlers(
  services: HandlerServices,
): Pick<
  Handlers,
  | 'ai:getState'
  | 'ai:setEnabled'
  | 'ai:ask'
  | 'ai:cancel'
  | 'ai:transcribeChunk'
  | 'ai:getTranscript'
  | 'ai:resolveAction'
  | 'ai:postSummary'
> {
  const { ai } = services
  return {
    'ai:getState': () => ai.state(),
    'ai:setEnabled': (change) => ai.setEnabled(change),
    'ai:ask': (request) => ai.ask(request),
    'ai:cancel': ({ requestId }) => ({ cancelled: ai.cancel(requestId) }),
    'ai:transcribeChunk': async (chunk) => ({ entry: await ai.transcribe(chunk) }),
    'ai:getTranscript': ({ limit }) => ({ entries: ai.transcript(limit) }),
    'ai:resolveAction': ({ actionId, decision }) => ai.resolveAction(actionId, decision),
    'ai:postSummary': async ({ summaryId }) => {
      await ai.postSummary(summaryId)
      return { posted: true as const }
    },
  }
}
