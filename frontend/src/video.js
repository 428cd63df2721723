// The video call through the Amazon Chime SDK for JavaScript.
//
// Deployed, both sides join the real Chime meeting created by the API. On the local stack the
// Chime stand-in has no media servers, so the page shows the camera preview (through the same
// SDK device controller) and a banner saying the video is simulated.
//
// A call that degrades is said so, never silent: the SDK's observer (connectionDidBecomePoor, or no
// video from the other side for 10 s) stops sending our video to keep the sound, says so in the
// call's status line and offers "Switch to audio only"; recovery and reconnection are shown too.
import {
  ConsoleLogger,
  DefaultDeviceController,
  DefaultMeetingSession,
  LogLevel,
  MeetingSessionConfiguration,
} from 'amazon-chime-sdk-js';

import { $ } from './dom.js';

const NO_REMOTE_VIDEO_MS = 10_000;
// On the local stack only (simulated video, no media servers): where a browser test finds the
// observer the page registered, to play the SDK's part. Never set when the call is real.
const TEST_HOOK = 'safeConnectionCallObserver';

async function firstDevice(list) {
  const devices = await list();
  return devices.length ? devices[0].deviceId : null;
}

function showStatus(text, kind) {
  const line = $('call-status');
  if (!line) return;
  line.textContent = text;
  line.className = `call-status ${kind}`;
  line.hidden = !text;
}

/**
 * The observer of the call's health. `media` stops and restarts our video and goes audio only;
 * `onAudioOnly` tells the page (the sergeant's decision then says `audio`).
 */
function callObserver(media, onAudioOnly) {
  const state = { poor: false, audioOnly: false, remoteTile: null, hadRemoteVideo: false, watchdog: null };
  const offerAudioOnly = (show) => {
    const button = $('audio-only');
    if (button) button.hidden = !show || state.audioOnly;
  };
  const degrade = (why) => {
    if (state.audioOnly) return;
    if (!state.poor) {
      state.poor = true;
      media.stopLocalVideo();
    }
    showStatus(`${why} Your video is paused to keep the sound. You can switch to audio only.`, 'poor');
    offerAudioOnly(true);
  };
  const watchRemoteVideo = () => {
    clearTimeout(state.watchdog);
    if (state.audioOnly || state.remoteTile !== null) return;
    // Simulated video has no other side: watch only once one has been seen (and is then lost).
    if (!media.real && !state.hadRemoteVideo) return;
    state.watchdog = setTimeout(() => degrade('No video from the other side for 10 seconds.'), NO_REMOTE_VIDEO_MS);
  };
  const observer = {
    connectionDidBecomePoor() { degrade('Poor connection.'); },
    connectionDidSuggestStopVideo() { degrade('Poor connection.'); },
    connectionDidBecomeGood() {
      if (state.audioOnly) {
        showStatus('Connection good again. The call stays audio only.', 'good');
        return;
      }
      if (state.poor) {
        state.poor = false;
        media.startLocalVideo();
      }
      showStatus('Connection good again: video is back on.', 'good');
      offerAudioOnly(false);
    },
    audioVideoDidStartConnecting(reconnecting) {
      if (reconnecting) showStatus('Connection lost: reconnecting...', 'poor');
      else showStatus('Connecting the call...', 'wait');
    },
    audioVideoDidStart() {
      showStatus(state.audioOnly ? 'Connected, audio only.' : 'Connected.', 'good');
      watchRemoteVideo();
    },
    audioVideoDidStop() {
      clearTimeout(state.watchdog);
      showStatus('The call has ended.', 'wait');
    },
    videoTileDidUpdate(tile) {
      if (!tile.boundAttendeeId || tile.isContent) return;
      media.bind(tile);
      if (!tile.localTile) {
        state.remoteTile = tile.tileId;
        state.hadRemoteVideo = true;
        clearTimeout(state.watchdog);
      }
    },
    videoTileWasRemoved(tileId) {
      if (tileId === state.remoteTile) {
        state.remoteTile = null;
        watchRemoteVideo();
      }
    },
  };
  const switchToAudioOnly = async () => {
    if (state.audioOnly) return;
    state.audioOnly = true;
    clearTimeout(state.watchdog);
    offerAudioOnly(false);
    await media.audioOnly();
    showStatus('Audio only: you can hear each other, with no video.', 'poor');
    if (onAudioOnly) onAudioOnly();
  };
  const button = $('audio-only');
  if (button) button.onclick = switchToAudioOnly;
  return { observer, state, switchToAudioOnly, stopWatching: () => clearTimeout(state.watchdog) };
}

/** Joins `meeting` ({Meeting, Attendee} as the API returns it). Resolves with `{ stop, audioOnly }`. */
export async function joinCall(meeting, mode, onAudioOnly) {
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
    const health = callObserver({
      real: false,
      bind() {},
      stopLocalVideo: () => devices.stopVideoPreviewForVideoInput(local),
      startLocalVideo: () => devices.startVideoPreviewForVideoInput(local),
      async audioOnly() {
        devices.stopVideoPreviewForVideoInput(local);
        await devices.stopVideoInput();
      },
    }, onAudioOnly);
    window[TEST_HOOK] = health.observer;
    health.observer.audioVideoDidStart();
    return {
      get audioOnly() { return health.state.audioOnly; },
      async stop() {
        health.stopWatching();
        delete window[TEST_HOOK];
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
  const health = callObserver({
    real: true,
    bind: (tile) => av.bindVideoElement(tile.tileId, tile.localTile ? local : $('remote-video')),
    stopLocalVideo: () => av.stopLocalVideoTile(),
    startLocalVideo: () => av.startLocalVideoTile(),
    async audioOnly() {
      av.stopLocalVideoTile();
      for (const tile of av.getAllRemoteVideoTiles()) av.pauseVideoTile(tile.id());
      await av.stopVideoInput();
    },
  }, onAudioOnly);
  av.addObserver(health.observer);
  av.start();
  av.startLocalVideoTile();
  return {
    get audioOnly() { return health.state.audioOnly; },
    async stop() {
      health.stopWatching();
      av.removeObserver(health.observer);
      av.stopLocalVideoTile();
      av.stop();
      await av.stopVideoInput();
      await av.stopAudioInput();
    },
  };
}

/** Joins if there is a meeting; otherwise (Chime was down, or the join failed) says so and
 * resolves with null: the page then shows the radio route. */
export async function joinOrFallBack(meeting, mode, onProblem, onAudioOnly) {
  if (!meeting) {
    onProblem('No video for this check: use the radio.');
    return null;
  }
  try {
    return await joinCall(meeting, mode, onAudioOnly);
  } catch (error) {
    onProblem('Camera or call unavailable: use the radio.');
    return null;
  }
}
