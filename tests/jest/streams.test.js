// mockd's streams read by the clients apps use: OpenAI's SDK streaming a chat completion from an
// `openai-chat` SSE mock, and the `eventsource` package (the browser's EventSource for Node)
// reading typed events and resuming with Last-Event-ID after the server ends the stream.
import { EventSource } from 'eventsource';
import OpenAI from 'openai';
import { startMockd } from './lib/mockd.js';

let server;

beforeAll(async () => {
    server = await startMockd({
        mocks: [
            {
                id: 'chat',
                type: 'http',
                http: {
                    matcher: { method: 'POST', path: '/v1/chat/completions' },
                    sse: {
                        template: 'openai-chat',
                        templateParams: { tokens: ['Hello', ',', ' world'], model: 'gpt-mock', delayPerToken: 5 },
                    },
                },
            },
            {
                id: 'ticker',
                type: 'http',
                http: {
                    matcher: { method: 'GET', path: '/ticker' },
                    sse: {
                        events: [
                            { id: '1', type: 'price', data: { px: 1 } },
                            { id: '2', type: 'price', data: { px: 2 } },
                            { id: '3', type: 'price', data: { px: 3 } },
                        ],
                        timing: { fixedDelay: 10 },
                        resume: { enabled: true, bufferSize: 10 },
                        lifecycle: { maxEvents: 2 },
                    },
                },
            },
        ],
    });
});

afterAll(async () => {
    await server?.stop();
});

test('the OpenAI SDK streams a chat completion to its end', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'test-key' });
    const stream = await client.chat.completions.create({
        model: 'gpt-mock',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
    });
    let text = '';
    const finishes = [];
    let model = null;
    for await (const chunk of stream) {
        text += chunk.choices[0].delta.content ?? '';
        finishes.push(chunk.choices[0].finish_reason);
        model = chunk.model;
    }
    expect(text).toBe('Hello, world');
    expect(finishes).toEqual([null, null, 'stop']);
    expect(model).toBe('gpt-mock');
});

test('EventSource reads typed events and resumes after the last id it saw', async () => {
    const es = new EventSource(`${server.url}/ticker`);
    const seen = [];
    await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only saw ${JSON.stringify(seen)}`)), 15000);
        es.addEventListener('price', (e) => {
            seen.push([e.lastEventId, JSON.parse(e.data).px]);
            // maxEvents 2 ends each stream; EventSource reconnects with Last-Event-ID: 2.
            if (seen.length === 3) {
                clearTimeout(timer);
                resolve();
            }
        });
    });
    es.close();
    expect(seen).toEqual([['1', 1], ['2', 2], ['3', 3]]);
});
