// The video call through the Amazon Chime SDK for JavaScript.
//
// Deployed, both sides join the real Chime meeting created by the API. On the local stack the
// Chime stand-in has no media servers, so the page shows the camera preview (through the same
// SDK device controller) and a banner saying the video is simulated.
import {
  ConsoleLogger,
  DefaultDeviceController,
  DefaultMeetingSession,
  LogLevel,
  MeetingSessionConfiguration,
} from 'amazon-chime-sdk-js';

import { $ } from './dom.js';

async function firstDevice(list) {
  const devices = await list();
  return devices.length ? devices[0].deviceId : null;
}

/** Joins `meeting` ({Meeting, Attendee} as the API returns it). Resolves with `{ stop }`. */
export async function joinCall(meeting, mode) {
  const logger = new ConsoleLogger('SafeConnection', LogLevel.WARN);
  const devices = new DefaultDeviceController(logger);
  // Validates the shapes the API returned, exactly as a real join would.
  const configuration = new MeetingSessionConfiguration({ Meeting: meeting.Meeting }, { Attendee: meeting.Attendee });
  const local = $('local-video');

  if (mode === 'simulated') {
    $('video-banner').hidden = false;
    const camera = await firstDevice(() => devices.listVideoInputDevices());
    if (camera) {
      await devices.startVideoInput(camera);
      devices.startVideoPreviewForVideoInput(local);
    }
    return {
      async stop() {
        devices.stopVideoPreviewForVideoInput(local);
        await devices.stopVideoInput();
      },
    };
  }

  const session = new DefaultMeetingSession(configuration, logger, devices);
  const av = session.audioVideo;
  const microphone = await firstDevice(() => av.listAudioInputDevices());
  if (microphone) await av.startAudioInput(microphone);
  const camera = await firstDevice(() => av.listVideoInputDevices());
  if (camera) await av.startVideoInput(camera);
  await av.bindAudioElement($('call-audio'));
  av.addObserver({
    videoTileDidUpdate(tile) {
      if (!tile.boundAttendeeId || tile.isContent) return;
      av.bindVideoElement(tile.tileId, tile.localTile ? local : $('remote-video'));
    },
  });
  av.start();
  av.startLocalVideoTile();
  return {
    async stop() {
      av.stopLocalVideoTile();
      av.stop();
      await av.stopVideoInput();
      await av.stopAudioInput();
    },
  };
}

/** Joins if there is a meeting; otherwise (Chime was down) tells the user to use the radio. */
export async function joinOrFallBack(meeting, mode, onProblem) {
  if (!meeting) {
    onProblem('No video for this check: use the radio.');
    return null;
  }
  try {
    return await joinCall(meeting, mode);
  } catch (error) {
    onProblem('Camera or call unavailable: use the radio.');
    return null;
  }
}
