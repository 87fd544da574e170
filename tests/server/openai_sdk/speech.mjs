// Calls our server with the official OpenAI Node SDK, exactly as an OpenAI user would:
//   node speech.mjs BASE_URL API_KEY OUT_FILE FORMAT
import fs from "node:fs";
import OpenAI from "openai";

const [baseURL, apiKey, out, format] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey });
const response = await client.audio.speech.create({
  model: "tts-1",
  voice: "alloy",
  input: "Hello from the OpenAI SDK.",
  response_format: format,
});
fs.writeFileSync(out, Buffer.from(await response.arrayBuffer()));
