import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const SCENE_WIDTH = 640;
export const SCENE_HEIGHT = 360;

export interface PersonScene {
  /** The fake camera's file (--use-file-for-fake-video-capture), 640×360, 15 fps. */
  y4m: string;
  /** The picture the camera sends, as Chromium decodes it (RGBA, 640×360). */
  rgba: Buffer;
  /** 1 where the picture shows the person, 0 elsewhere (one byte a pixel). */
  person: Uint8Array;
}

/**
 * A head-and-shoulders person (skin-toned face with hair, eyes, brows, nose, mouth and ears; a
 * neck; a dark shirt with a collar) in front of bookshelves full of thin, many-coloured books: a
 * background with a lot of fine detail. MediaPipe's selfie segmentation finds this person
 * (mask ≈ 1 inside, ≈ 0.05 outside, checked when the scene was drawn). Runs in a page.
 */
function drawPersonScene(width: number, height: number): { png: string; person: number[] } {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  let seed = 7;
  const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
  const P = { cx: width / 2, headY: 130, headRx: 52, headRy: 66, shoulderY: 240, shoulderW: 170 };
  ctx.fillStyle = '#c9b48f';
  ctx.fillRect(0, 0, width, height);
  for (let sy = 10; sy < height; sy += 60) {
    ctx.fillStyle = '#5a3b22';
    ctx.fillRect(0, sy + 50, width, 8);
    for (let x = 0; x < width; ) {
      const bw = 8 + Math.floor(rnd() * 14);
      const bh = 30 + Math.floor(rnd() * 18);
      ctx.fillStyle = `hsl(${Math.floor(rnd() * 360)},${40 + rnd() * 40}%,${25 + rnd() * 40}%)`;
      ctx.fillRect(x, sy + 50 - bh, bw - 1, bh);
      ctx.fillStyle = 'rgba(255,255,255,0.6)';
      ctx.fillRect(x + 2, sy + 50 - bh + 6, bw - 5, 2);
      x += bw;
    }
  }
  const body = new Path2D();
  body.moveTo(P.cx - 60, P.shoulderY - 20);
  body.quadraticCurveTo(P.cx - P.shoulderW, P.shoulderY - 10, P.cx - P.shoulderW, P.shoulderY + 40);
  body.lineTo(P.cx - P.shoulderW - 10, height);
  body.lineTo(P.cx + P.shoulderW + 10, height);
  body.lineTo(P.cx + P.shoulderW, P.shoulderY + 40);
  body.quadraticCurveTo(P.cx + P.shoulderW, P.shoulderY - 10, P.cx + 60, P.shoulderY - 20);
  body.closePath();
  const neck = new Path2D();
  neck.rect(P.cx - 24, P.headY + 40, 48, P.shoulderY - P.headY - 40);
  const head = new Path2D();
  head.ellipse(P.cx, P.headY, P.headRx, P.headRy, 0, 0, Math.PI * 2);
  const ears = new Path2D();
  ears.ellipse(P.cx - P.headRx, P.headY + 5, 9, 16, 0, 0, Math.PI * 2);
  ears.ellipse(P.cx + P.headRx, P.headY + 5, 9, 16, 0, 0, Math.PI * 2);
  const hair = new Path2D();
  hair.ellipse(P.cx, P.headY - 30, P.headRx + 4, 42, 0, Math.PI, 2 * Math.PI);
  hair.rect(P.cx - P.headRx - 4, P.headY - 32, 12, 30);
  hair.rect(P.cx + P.headRx - 8, P.headY - 32, 12, 30);
  ctx.fillStyle = '#2b3f66';
  ctx.fill(body);
  ctx.fillStyle = '#e8e8ee';
  ctx.beginPath();
  ctx.moveTo(P.cx - 30, P.shoulderY - 22);
  ctx.lineTo(P.cx, P.shoulderY + 25);
  ctx.lineTo(P.cx + 30, P.shoulderY - 22);
  ctx.fill();
  ctx.fillStyle = '#d9a184';
  ctx.fill(neck);
  const skin = ctx.createRadialGradient(P.cx - 15, P.headY - 15, 10, P.cx, P.headY, P.headRy);
  skin.addColorStop(0, '#f1c3a5');
  skin.addColorStop(1, '#c98f70');
  ctx.fillStyle = skin;
  ctx.fill(head);
  ctx.fillStyle = '#d49a7c';
  ctx.fill(ears);
  ctx.fillStyle = '#3a2618';
  ctx.fill(hair);
  for (const s of [-1, 1]) {
    ctx.fillStyle = '#fff';
    ctx.beginPath();
    ctx.ellipse(P.cx + s * 20, P.headY - 2, 10, 5, 0, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = '#4a3020';
    ctx.beginPath();
    ctx.arc(P.cx + s * 20, P.headY - 2, 4, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = '#3a2618';
    ctx.fillRect(P.cx + s * 20 - 11, P.headY - 16, 22, 4);
  }
  ctx.lineWidth = 3;
  ctx.strokeStyle = '#a86a50';
  ctx.beginPath();
  ctx.moveTo(P.cx, P.headY + 2);
  ctx.lineTo(P.cx - 6, P.headY + 22);
  ctx.lineTo(P.cx + 4, P.headY + 24);
  ctx.stroke();
  ctx.lineWidth = 4;
  ctx.strokeStyle = '#9c4a42';
  ctx.beginPath();
  ctx.arc(P.cx, P.headY + 26, 16, 0.2 * Math.PI, 0.8 * Math.PI);
  ctx.stroke();
  const person: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = [body, neck, head, ears, hair].some((p) => ctx.isPointInPath(p, x + 0.5, y + 0.5));
      person.push(inside ? 1 : 0);
    }
  }
  return { png: canvas.toDataURL('image/png'), person };
}

/** Draws the scene in Chromium, writes it as a Y4M (ffmpeg) into `dir`, and reads it back as Chromium's camera would give it. */
export async function makePersonScene(dir: string): Promise<PersonScene> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  let drawn: { png: string; person: number[] };
  try {
    const page = await browser.newPage();
    // tsx (esbuild) wraps named functions in __name(): defined here, as the page has none.
    drawn = (await page.evaluate(`(() => { const __name = (f) => f; return (${drawPersonScene.toString()})(${SCENE_WIDTH}, ${SCENE_HEIGHT}); })()`)) as typeof drawn;
  } finally {
    await browser.close();
  }
  const png = path.join(dir, 'scene.png');
  fs.writeFileSync(png, Buffer.from(drawn.png.split(',')[1]!, 'base64'));
  const y4m = path.join(dir, 'scene.y4m');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-loop', '1', '-i', png, '-t', '2', '-r', '15', '-pix_fmt', 'yuv420p', y4m]);
  return { y4m, rgba: readRgba(y4m, SCENE_WIDTH, SCENE_HEIGHT), person: Uint8Array.from(drawn.person) };
}

/** The first frame of a picture or video file as RGBA at width×height (ffmpeg). */
export function readRgba(file: string, width: number, height: number): Buffer {
  return execFileSync('ffmpeg', ['-loglevel', 'error', '-i', file, '-frames:v', '1', '-vf', `scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 64 * 1024 * 1024 });
}
